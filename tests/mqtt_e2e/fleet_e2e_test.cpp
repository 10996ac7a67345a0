// SPDX-License-Identifier: Apache-2.0
// Two simulated devices, each with its daemon and bridge, on one broker: tractionctl fleet lists
// both with their state.
#include <gtest/gtest.h>

#include <iostream>

#include "tests/mqtt_e2e/mqtt_rig.hpp"

namespace traction::mqtt::testing {
namespace {

using namespace std::chrono_literals;

TEST(MqttFleet, two_daemons_on_one_broker_are_both_listed_by_tractionctl_fleet) {
  e2e::Rig table("inversion");
  e2e::Rig bench("traction");
  ASSERT_TRUE(wait_until([&] { return table.ready() && bench.ready(); }, 15s))
      << table.log() << bench.log();
  Broker broker(table.dir());
  Bridge table_bridge(table, broker, "table-1");
  Bridge bench_bridge(bench, broker, "bench-1");
  Subscriber sub(broker, "tractiond/+/state", table.dir() + "/sub.log");
  ASSERT_TRUE(wait_until(
      [&] {
        return !sub.on("tractiond/table-1/state").empty() &&
               !sub.on("tractiond/bench-1/state").empty();
      },
      15s))
      << table_bridge.log() << bench_bridge.log();

  const std::string out = table.dir() + "/fleet.json";
  ASSERT_EQ(
      run({e2e::build_path("cli/tractionctl"), "fleet", "--broker", broker.url(), "--json"}, out),
      0)
      << read_file(out);
  const auto fleet = nlohmann::json::parse(read_file(out), nullptr, false);
  ASSERT_TRUE(fleet.is_object()) << read_file(out);
  ASSERT_TRUE(fleet.contains("table-1")) << fleet.dump();
  ASSERT_TRUE(fleet.contains("bench-1")) << fleet.dump();
  EXPECT_EQ(fleet["table-1"]["availability"], "online");
  EXPECT_TRUE(fleet["table-1"]["state"]["state"].is_string());
  EXPECT_EQ(fleet["table-1"]["state"]["kind"], "inversion");
  EXPECT_EQ(fleet["bench-1"]["state"]["kind"], "traction");

  const std::string text = table.dir() + "/fleet.txt";
  ASSERT_EQ(run({e2e::build_path("cli/tractionctl"), "fleet", "--broker", broker.url()}, text), 0);
  std::cout << read_file(text);  // the listing as a person sees it
  EXPECT_NE(read_file(text).find("bench-1"), std::string::npos) << read_file(text);
  EXPECT_NE(read_file(text).find("table-1         online"), std::string::npos) << read_file(text);
}

TEST(MqttFleet, fleet_without_a_broker_says_so_and_exits_3) {
  const std::string out = "/tmp/tractiond-fleet-nobroker.txt";
  const int port = free_port();
  EXPECT_EQ(run({e2e::build_path("cli/tractionctl"), "fleet", "--broker",
                 "mqtt://127.0.0.1:" + std::to_string(port), "--wait", "1"},
                out),
            3);
  EXPECT_NE(read_file(out).find("cannot reach the broker"), std::string::npos) << read_file(out);
  std::remove(out.c_str());
}

}  // namespace
}  // namespace traction::mqtt::testing
