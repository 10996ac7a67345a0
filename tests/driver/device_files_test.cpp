// SPDX-License-Identifier: Apache-2.0
// The device files this work ships: the commented CiA 402 template and the foreign drive's map.
#include <gtest/gtest.h>

#include "drivers/device_file.hpp"
#include "drivers/modbus/command_frame.hpp"
#include "tests/driver/driver_test_support.hpp"

namespace traction {
namespace {

using testing::source_path;

TEST(ShippedDeviceFiles, generic_cia402_template_loads_with_its_comments) {
  auto file = load_device_file(source_path("config/devices/generic-cia402.json"));
  ASSERT_TRUE(file.ok()) << file.status().message();
  EXPECT_FALSE(file->watchdog.external_hardware);
  EXPECT_NE(file->registers.find("watchdog_timeout"), nullptr);
  EXPECT_TRUE(plan_command_writes(file->registers).ok());
}

TEST(ShippedDeviceFiles, foreign_drive_map_loads_with_low_word_first_values) {
  auto file = load_device_file(source_path("tests/peers/foreign_device/foreign.json"));
  ASSERT_TRUE(file.ok()) << file.status().message();
  EXPECT_EQ(file->registers.at("target").word_order, WordOrder::low_first);
  EXPECT_EQ(file->registers.at("stop_switch").table, Table::discrete_input);
}

TEST(RegisterMapComments, comment_keys_are_accepted_in_the_map_and_in_a_signal) {
  const auto json = nlohmann::json::parse(R"({
    "name": "n", "kind": "traction", "limits": {}, "watchdog": {"external_hardware": true},
    "registers": {
      "$comment": "why this map looks like this",
      "control_word": {"table": "holding", "address": 0, "$comment": "0x6040"},
      "status_word": {"table": "input", "address": 0},
      "target": {"table": "holding", "address": 1},
      "actual": {"table": "input", "address": 1},
      "fault_code": {"table": "input", "address": 2},
      "stop_switch": {"table": "discrete_input", "address": 0},
      "stop_switch_connected": {"table": "discrete_input", "address": 1}
    }})");
  auto file = parse_device_file(json, "inline");
  EXPECT_TRUE(file.ok()) << file.status().message();
}

TEST(RegisterMapComments, a_comment_that_is_not_text_is_rejected) {
  const auto json = nlohmann::json::parse(R"({
    "name": "n", "kind": "traction", "limits": {}, "watchdog": {"external_hardware": true},
    "registers": {
      "control_word": {"table": "holding", "address": 0, "$comment": 7},
      "status_word": {"table": "input", "address": 0},
      "target": {"table": "holding", "address": 1},
      "actual": {"table": "input", "address": 1},
      "fault_code": {"table": "input", "address": 2},
      "stop_switch": {"table": "discrete_input", "address": 0},
      "stop_switch_connected": {"table": "discrete_input", "address": 1}
    }})");
  EXPECT_FALSE(parse_device_file(json, "inline").ok());
}

}  // namespace
}  // namespace traction
