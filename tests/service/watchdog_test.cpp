// SPDX-License-Identifier: Apache-2.0
// The watchdog is fed only while the control loop completes cycles. "Hung" is a Modbus call that
// blocks longer than the watchdog allows: a device file with a long response timeout and a
// simulator that answers late make that real. A device that stops answering within the driver's
// timeouts is not a hung daemon: the loop goes on (and faults the session), so the pings go on.
#include <gtest/gtest.h>

#include "tests/service/notify_listener.hpp"
#include "tests/service/service_rig.hpp"

namespace traction::service_test {
namespace {

using namespace std::chrono_literals;
using Clock = NotifyListener::Clock;

// The longest silence between pings from `since` on.
Clock::duration longest_gap(const std::vector<NotifyListener::Message>& pings,
                            Clock::time_point since) {
  Clock::duration longest{0};
  for (std::size_t i = 1; i < pings.size(); ++i) {
    if (pings[i].at < since) continue;
    longest = std::max(longest, pings[i].at - pings[i - 1].at);
  }
  return longest;
}

std::string device_with_response_timeout(const std::string& dir, int ms) {
  auto device = nlohmann::json::parse(read_file(source_path("config/devices/sim-inversion.json")));
  device["transport"]["response_timeout_ms"] = ms;
  const std::string path = dir + "/slow-device.json";
  std::ofstream(path) << device.dump(2);
  return path;
}

bool alive(pid_t pid) {
  const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

TEST(ServiceWatchdog, pings_stop_while_a_modbus_call_blocks_and_resume_when_it_returns) {
  ServiceRig rig("inversion");
  NotifyListener notify(rig.dir() + "/notify.sock");
  const std::string device = device_with_response_timeout(rig.dir(), 5000);
  rig.start_daemon({"--config", rig.write_config("", device)},
                   {{"NOTIFY_SOCKET", notify.path()}, {"WATCHDOG_USEC", "1000000"}});
  ASSERT_TRUE(wait_until([&] { return notify.with("WATCHDOG=1").size() >= 2; }, 15s)) << rig.log();

  // Every reply 3 s late for the next second: the control thread waits 3 s in one Modbus call.
  const auto stalled_at = Clock::now();
  ASSERT_TRUE(
      rig.sim({{"command", "delay_replies"}, {"ms", 3000}, {"seconds", 1}})["ok"].get<bool>());
  ASSERT_TRUE(wait_until(
      [&] {
        const auto pings = notify.with("WATCHDOG=1");
        return pings.back().at > stalled_at + 3s;
      },
      20s))
      << "the pings did not resume once the call returned\n"
      << rig.log();
  EXPECT_GE(longest_gap(notify.with("WATCHDOG=1"), stalled_at), 2s)
      << "a 1 s watchdog would not have fired during a 3 s stall";
  EXPECT_TRUE(alive(rig.daemon().pid()));
}

TEST(ServiceWatchdog, a_device_that_stops_answering_does_not_stop_the_pings) {
  ServiceRig rig("inversion");
  NotifyListener notify(rig.dir() + "/notify.sock");
  rig.start_daemon({"--config", rig.write_config()},
                   {{"NOTIFY_SOCKET", notify.path()}, {"WATCHDOG_USEC", "2000000"}});
  ASSERT_TRUE(wait_until([&] { return notify.with("WATCHDOG=1").size() >= 2; }, 15s)) << rig.log();

  // Replies 1 s late for 3 s, far past the sim device's 100 ms response timeout: each call times
  // out, the loop carries on and reports the device lost.
  const auto lost_at = Clock::now();
  ASSERT_TRUE(
      rig.sim({{"command", "delay_replies"}, {"ms", 1000}, {"seconds", 3}})["ok"].get<bool>());
  ASSERT_TRUE(wait_until(
      [&] {
        for (const auto& m : notify.messages()) {
          if (m.at > lost_at && m.text.find("STATUS=") != std::string::npos &&
              m.text.find("idle") == std::string::npos) {
            return true;
          }
        }
        return false;
      },
      10s))
      << "the status never left idle\n"
      << rig.log();
  wait_until([&] { return Clock::now() > lost_at + 4s; }, 6s);
  EXPECT_LT(longest_gap(notify.with("WATCHDOG=1"), lost_at), 2s)
      << "a 2 s watchdog would have restarted a daemon that was working";
}

}  // namespace
}  // namespace traction::service_test
