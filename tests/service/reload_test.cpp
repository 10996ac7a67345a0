// SPDX-License-Identifier: Apache-2.0
// SIGHUP reloads programs and profiles; a running session keeps its plan; a broken config is
// refused and the old catalog stays.
#include <gtest/gtest.h>
#include <signal.h>

#include "tests/service/notify_listener.hpp"
#include "tests/service/service_rig.hpp"

namespace traction::service_test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::vector<std::string> program_names(e2e::RpcClient& client) {
  std::vector<std::string> names;
  const auto list = ServiceRig::call(client, "program.list");
  if (!list.contains("result")) return names;
  for (const auto& p : list["result"]["programs"]) names.push_back(p["name"]);
  return names;
}

bool has(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// A private copy of the project's programs, so the test may change them.
std::string copy_programs(const std::string& dir) {
  const std::string programs = dir + "/programs";
  fs::create_directories(programs);
  for (const auto& entry : fs::directory_iterator(source_path("config/programs"))) {
    fs::copy_file(entry.path(), programs + "/" + entry.path().filename().string());
  }
  return programs;
}

TEST(ServiceReload, sighup_swaps_the_programs_and_a_running_session_keeps_its_plan) {
  ServiceRig rig("inversion");
  NotifyListener notify(rig.dir() + "/notify.sock");
  const std::string programs = copy_programs(rig.dir());
  rig.start_daemon({"--config", rig.write_config(programs)}, {{"NOTIFY_SOCKET", notify.path()}});
  auto client = rig.connect(rig.socket_path(), 15s);
  ASSERT_TRUE(client) << rig.log();
  ASSERT_TRUE(wait_until(
      [&] { return ServiceRig::call(*client, "status.get")["result"]["state"] == "idle"; }, 15s));
  const auto started = ServiceRig::call(*client, "session.start", {{"program", "quick-check"}});
  ASSERT_TRUE(started.contains("result")) << started.dump();
  const std::string id = started["result"]["session_id"];
  ASSERT_TRUE(wait_until(
      [&] {
        const auto status = ServiceRig::call(*client, "status.get")["result"];
        return status["session"].is_object() && status["session"]["id"] == id;
      },
      10s))
      << rig.log();

  // quick-check leaves the directory; a renamed copy arrives.
  auto renamed = nlohmann::json::parse(read_file(programs + "/quick-check.json"));
  renamed["name"] = "second-check";
  std::ofstream(programs + "/second-check.json") << renamed.dump(2);
  fs::remove(programs + "/quick-check.json");
  ASSERT_EQ(::kill(rig.daemon().pid(), SIGHUP), 0);

  ASSERT_TRUE(wait_until(
      [&] {
        const auto names = program_names(*client);
        return has(names, "second-check") && !has(names, "quick-check");
      },
      10s))
      << rig.log();
  const auto status = ServiceRig::call(*client, "status.get")["result"];
  ASSERT_TRUE(status["session"].is_object()) << status.dump() << rig.log();
  EXPECT_EQ(status["session"]["id"], id);
  EXPECT_EQ(status["session"]["program"], "quick-check");
  EXPECT_NE(rig.log().find("a running session keeps its plan"), std::string::npos) << rig.log();
  ASSERT_FALSE(notify.with("RELOADING=1").empty());
  EXPECT_GT(notify.with("READY=1").back().at, notify.with("RELOADING=1").back().at);

  ServiceRig::call(*client, "session.stop");
  EXPECT_EQ(rig.daemon().terminate(), 0) << rig.log();
}

TEST(ServiceReload, a_broken_program_is_refused_and_the_previous_catalog_stays) {
  ServiceRig rig("traction");
  const std::string programs = copy_programs(rig.dir());
  rig.start_daemon({"--config", rig.write_config(programs)});
  auto client = rig.connect(rig.socket_path(), 15s);
  ASSERT_TRUE(client) << rig.log();
  const auto before = program_names(*client);
  ASSERT_TRUE(has(before, "quick-check"));

  std::ofstream(programs + "/broken.json") << "{ \"name\": \"broken\", ";
  fs::remove(programs + "/quick-check.json");
  ASSERT_EQ(::kill(rig.daemon().pid(), SIGHUP), 0);
  ASSERT_TRUE(
      wait_until([&] { return rig.log().find("reload refused") != std::string::npos; }, 10s))
      << rig.log();
  EXPECT_NE(rig.log().find("broken.json"), std::string::npos) << "the error names the file";
  EXPECT_EQ(program_names(*client), before);
  EXPECT_EQ(rig.daemon().terminate(), 0) << rig.log();
}

}  // namespace
}  // namespace traction::service_test
