// SPDX-License-Identifier: Apache-2.0
// Socket activation through systemd-socket-activate (Debian package systemd): the daemon serves on
// the fd it is passed and binds no socket of its own.
#include <gtest/gtest.h>

#include "tests/service/service_rig.hpp"

namespace traction::service_test {
namespace {

using namespace std::chrono_literals;

const std::string kActivate = "/usr/bin/systemd-socket-activate";

bool exited(pid_t pid) {
  const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  return close == std::string::npos || close + 2 >= stat.size() || stat[close + 2] == 'Z';
}

TEST(SocketActivation, the_daemon_serves_on_the_passed_socket_and_binds_none_itself) {
  if (!std::filesystem::exists(kActivate))
    GTEST_SKIP() << kActivate << " is missing (package systemd)";
  ServiceRig rig("traction");
  const std::string passed = rig.dir() + "/activated.sock";
  rig.start({kActivate, "--listen=" + passed, "--fdname=control"}, {"--config", rig.write_config()},
            {});
  auto client = rig.connect(passed, 15s);
  ASSERT_TRUE(client) << rig.log();
  const auto info = ServiceRig::call(*client, "daemon.info");
  ASSERT_TRUE(info.contains("result")) << info.dump() << rig.log();
  EXPECT_EQ(info["result"]["name"], "tractiond");
  EXPECT_FALSE(std::filesystem::exists(rig.socket_path())) << "the configured path was bound too";
  EXPECT_NE(rig.log().find("the inherited socket"), std::string::npos) << rig.log();

  client.reset();
  EXPECT_EQ(rig.daemon().terminate(), 0) << rig.log();
  EXPECT_TRUE(std::filesystem::exists(passed)) << "the socket file belongs to the activator";
}

TEST(SocketActivation, a_passed_fd_under_another_name_is_refused_with_the_name_it_wants) {
  if (!std::filesystem::exists(kActivate))
    GTEST_SKIP() << kActivate << " is missing (package systemd)";
  ServiceRig rig("traction");
  const std::string passed = rig.dir() + "/activated.sock";
  rig.start({kActivate, "--listen=" + passed, "--fdname=telemetry"},
            {"--config", rig.write_config()}, {});
  // The activator may wait for a first connection before it starts the daemon.
  auto client = rig.connect(passed, 15s);
  ASSERT_TRUE(wait_until([&] { return exited(rig.daemon().pid()); }, 15s)) << rig.log();
  EXPECT_EQ(rig.daemon().terminate(), 2) << rig.log();
  EXPECT_NE(rig.log().find("no passed fd is named \"control\""), std::string::npos) << rig.log();
}

}  // namespace
}  // namespace traction::service_test
