// SPDX-License-Identifier: Apache-2.0
// sd_notify as a service manager sees it: a fake $NOTIFY_SOCKET bound by the test.
#include <gtest/gtest.h>

#include "tests/service/notify_listener.hpp"
#include "tests/service/service_rig.hpp"

namespace traction::service_test {
namespace {

using namespace std::chrono_literals;

bool any_status_contains(const NotifyListener& notify, const std::string& text) {
  for (const auto& m : notify.messages()) {
    if (m.text.find("STATUS=") != std::string::npos && m.text.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

TEST(ServiceNotify, ready_comes_once_the_socket_listens_then_status_pings_and_stopping_on_sigterm) {
  ServiceRig rig("inversion");
  NotifyListener notify(rig.dir() + "/notify.sock");
  ASSERT_TRUE(notify.bound());
  rig.start_daemon({"--config", rig.write_config()},
                   {{"NOTIFY_SOCKET", notify.path()}, {"WATCHDOG_USEC", "400000"}});

  ASSERT_TRUE(wait_until([&] { return !notify.with("READY=1").empty(); }, 15s)) << rig.log();
  // READY=1 promises a listening socket: the first attempt to connect must succeed.
  auto connected = e2e::RpcClient::connect(rig.socket_path());
  ASSERT_TRUE(connected) << connected.status().message();
  EXPECT_NE(notify.with("READY=1").front().text.find("STATUS="), std::string::npos)
      << "READY=1 carries the state";
  EXPECT_TRUE(wait_until([&] { return any_status_contains(notify, "idle"); }, 10s)) << rig.log();

  // Pings at about half of WATCHDOG_USEC (400 ms), no faster.
  ASSERT_TRUE(wait_until([&] { return notify.with("WATCHDOG=1").size() >= 4; }, 5s)) << rig.log();
  const auto pings = notify.with("WATCHDOG=1");
  for (std::size_t i = 1; i < pings.size(); ++i) {
    const auto gap = pings[i].at - pings[i - 1].at;
    EXPECT_GE(gap, 150ms);
    EXPECT_LE(gap, 400ms) << "a ping was late enough to trip the watchdog";
  }

  EXPECT_EQ(rig.daemon().terminate(), 0) << rig.log();
  const auto stopping = notify.with("STOPPING=1");
  ASSERT_EQ(stopping.size(), 1U);
  EXPECT_GT(stopping.front().at, notify.with("READY=1").front().at);
}

TEST(ServiceNotify, without_notify_socket_the_daemon_runs_and_sends_nothing) {
  ServiceRig rig("traction");
  NotifyListener notify(rig.dir() + "/notify.sock");
  rig.start_daemon({"--config", rig.write_config()});
  auto client = rig.connect(rig.socket_path(), 15s);
  ASSERT_TRUE(client) << rig.log();
  EXPECT_EQ(ServiceRig::call(*client, "daemon.info")["result"]["name"], "tractiond");
  EXPECT_EQ(rig.daemon().terminate(), 0) << rig.log();
  EXPECT_TRUE(notify.messages().empty());
}

}  // namespace
}  // namespace traction::service_test
