// SPDX-License-Identifier: Apache-2.0
// Pure parts of the Modbus driver: write grouping and encoding, register decoding through the
// image, reconnect backoff, errno classification.
#include "drivers/modbus/command_frame.hpp"

#include <gtest/gtest.h>
#include <modbus/modbus.h>

#include <cerrno>

#include "drivers/modbus/modbus_link.hpp"
#include "drivers/modbus/reconnect_backoff.hpp"
#include "tests/driver/driver_test_support.hpp"

namespace traction {
namespace {

using testing::load_device;

RegisterMap map_from(const nlohmann::json& registers) {
  ObjectReader reader(registers, "test");
  return RegisterMap::parse(reader);
}

nlohmann::json minimal_registers() {
  return nlohmann::json::parse(R"({
    "control_word": {"table": "holding", "address": 0},
    "status_word": {"table": "input", "address": 0},
    "target": {"table": "holding", "address": 10, "type": "i32", "scale": 0.1},
    "actual": {"table": "input", "address": 2, "type": "i32"},
    "fault_code": {"table": "input", "address": 1},
    "stop_switch": {"table": "discrete_input", "address": 0},
    "stop_switch_connected": {"table": "discrete_input", "address": 1}
  })");
}

TEST(CommandWrites, sim_map_writes_control_word_heartbeat_and_target_in_one_request) {
  const DeviceFile device = load_device("config/devices/sim-inversion.json");
  auto blocks = plan_command_writes(device.registers);
  ASSERT_TRUE(blocks.ok()) << blocks.status().message();
  ASSERT_EQ(blocks->size(), 1U);
  EXPECT_EQ((*blocks)[0].address, 0);
  EXPECT_EQ((*blocks)[0].count, 4);
}

TEST(CommandWrites, foreign_map_with_target_apart_needs_two_requests) {
  const DeviceFile device = load_device("tests/peers/foreign_device/foreign.json");
  auto blocks = plan_command_writes(device.registers);
  ASSERT_TRUE(blocks.ok()) << blocks.status().message();
  ASSERT_EQ(blocks->size(), 2U);
  EXPECT_EQ((*blocks)[0].address, 100);  // target, 2 words
  EXPECT_EQ((*blocks)[0].count, 2);
  EXPECT_EQ((*blocks)[1].address, 110);  // control word + heartbeat
  EXPECT_EQ((*blocks)[1].count, 2);
}

TEST(CommandWrites, when_target_is_a_bit_inside_a_register_expect_config_error) {
  nlohmann::json regs = minimal_registers();
  regs["target"] = {{"table", "holding"}, {"address", 5}, {"bit", 2}};
  auto blocks = plan_command_writes(map_from(regs));
  ASSERT_FALSE(blocks.ok());
  EXPECT_EQ(blocks.status().code(), Errc::config);
}

TEST(CommandWrites, sim_map_frame_encodes_words_in_address_order_high_word_first) {
  const DeviceFile device = load_device("config/devices/sim-inversion.json");
  auto blocks = plan_command_writes(device.registers);
  ASSERT_TRUE(blocks.ok());
  Words words;
  ASSERT_TRUE(encode_command((*blocks)[0], CommandFrame{0x000F, 42, -12.345}, words).ok());
  ASSERT_EQ(words.size(), 4U);
  EXPECT_EQ(words[0], 0x000F);
  EXPECT_EQ(words[1], 42);
  EXPECT_EQ(words[2], 0xFFFF);  // -12345 millidegrees, high word first
  EXPECT_EQ(words[3], static_cast<std::uint16_t>(-12345 & 0xFFFF));
}

TEST(CommandWrites, foreign_map_target_is_encoded_low_word_first_in_hundredths) {
  const DeviceFile device = load_device("tests/peers/foreign_device/foreign.json");
  auto blocks = plan_command_writes(device.registers);
  ASSERT_TRUE(blocks.ok());
  Words words;
  ASSERT_TRUE(encode_command((*blocks)[0], CommandFrame{0, 0, 700.0}, words).ok());  // raw 70000
  EXPECT_EQ(words[0], 70000 & 0xFFFF);
  EXPECT_EQ(words[1], 70000 >> 16);
}

TEST(CommandWrites, heartbeat_in_a_coil_toggles_with_the_counter) {
  nlohmann::json regs = minimal_registers();
  regs["heartbeat"] = {{"table", "coil"}, {"address", 3}};
  const RegisterMap map = map_from(regs);
  auto blocks = plan_command_writes(map);
  ASSERT_TRUE(blocks.ok());
  const WriteBlock* coil = nullptr;
  for (const auto& b : *blocks) coil = b.table == Table::coil ? &b : coil;
  ASSERT_NE(coil, nullptr);
  Words odd, even;
  ASSERT_TRUE(encode_command(*coil, CommandFrame{0, 7, 0.0}, odd).ok());
  ASSERT_TRUE(encode_command(*coil, CommandFrame{0, 8, 0.0}, even).ok());
  EXPECT_EQ(odd[0], 1);
  EXPECT_EQ(even[0], 0);
}

TEST(CommandWrites, when_target_does_not_fit_expect_error_before_any_word_is_used) {
  const DeviceFile device = load_device("config/devices/sim-inversion.json");
  auto blocks = plan_command_writes(device.registers);
  ASSERT_TRUE(blocks.ok());
  Words words;
  const Status s =
      encode_command((*blocks)[0], CommandFrame{0x000F, 1, 3e6}, words);  // 3e9 millideg
  EXPECT_EQ(s.code(), Errc::invalid_argument);
}

TEST(RegisterImageDecoding, foreign_layout_decodes_f32_i16_u32_low_first_and_discrete_flags) {
  const DeviceFile device = load_device("tests/peers/foreign_device/foreign.json");
  RegisterImage image(device.registers, device.registers.cycle_blocks());
  const auto& blocks = image.blocks();
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const ReadBlock& b = blocks[i];
    Words& w = image.block(i);
    if (b.table == Table::input && b.address == 200) {
      w = {0x0227,
           0x0000,
           0x0000,
           0x4130 /* 11.0f low first */,
           static_cast<std::uint16_t>(-25),
           static_cast<std::uint16_t>(123456 & 0xFFFF),
           static_cast<std::uint16_t>(123456 >> 16)};
    }
    if (b.table == Table::discrete_input) w = {0, 1, 1, 0};
  }
  EXPECT_EQ(image.value(Signal::status_word), 0x0227);
  EXPECT_DOUBLE_EQ(*image.value(Signal::actual), 11.0);
  EXPECT_DOUBLE_EQ(*image.value(Signal::actual_velocity), -2.5);
  EXPECT_DOUBLE_EQ(*image.value(Signal::actual_force), 12345.6);
  EXPECT_FALSE(image.flag(Signal::stop_switch));
  EXPECT_TRUE(image.flag(Signal::stop_switch_connected));
  EXPECT_TRUE(image.flag(Signal::end_stop_low));
  // The identity and the written registers are not in the cycle's image.
  EXPECT_FALSE(image.value(Signal::vendor_id).has_value());
  EXPECT_FALSE(image.value(Signal::target).has_value());
}

TEST(RegisterImageDecoding,
     foreign_map_cycle_reads_in_two_requests_of_its_six_sim_map_in_one_of_two) {
  const DeviceFile foreign = load_device("tests/peers/foreign_device/foreign.json");
  EXPECT_EQ(foreign.registers.read_blocks().size(), 6U);
  ASSERT_EQ(foreign.registers.cycle_blocks().size(), 2U);  // discrete 10+4, input 200+7
  EXPECT_EQ(foreign.registers.cycle_blocks()[1].address, 200);
  EXPECT_EQ(foreign.registers.cycle_blocks()[1].count, 7);
  const DeviceFile sim = load_device("config/devices/sim-traction.json");
  EXPECT_EQ(sim.registers.read_blocks().size(), 2U);
  ASSERT_EQ(sim.registers.cycle_blocks().size(), 1U);  // input 0..8: no identity, no holding
  EXPECT_EQ(sim.registers.cycle_blocks()[0].table, Table::input);
  EXPECT_EQ(sim.registers.cycle_blocks()[0].count, 9);
  ASSERT_EQ(sim.registers.identity_blocks().size(), 1U);  // input 9..11, read once
  EXPECT_EQ(sim.registers.identity_blocks()[0].address, 9);
  EXPECT_EQ(sim.registers.identity_blocks()[0].count, 3);
}

TEST(ReconnectBackoff, delay_doubles_after_each_failure_up_to_the_cap) {
  ReconnectBackoff backoff(100, 350);
  const Clock::time_point t0{};
  backoff.on_failure(t0);
  EXPECT_EQ(backoff.next_attempt() - t0, std::chrono::milliseconds(100));
  backoff.on_failure(t0);
  EXPECT_EQ(backoff.next_attempt() - t0, std::chrono::milliseconds(200));
  backoff.on_failure(t0);
  EXPECT_EQ(backoff.next_attempt() - t0, std::chrono::milliseconds(350));
  backoff.on_failure(t0);
  EXPECT_EQ(backoff.next_attempt() - t0, std::chrono::milliseconds(350));
}

TEST(ReconnectBackoff, attempts_are_skipped_until_the_delay_has_passed) {
  ReconnectBackoff backoff(100, 1000);
  const Clock::time_point t0 = Clock::now();
  EXPECT_TRUE(backoff.may_attempt(t0));
  backoff.on_failure(t0);
  EXPECT_FALSE(backoff.may_attempt(t0 + std::chrono::milliseconds(99)));
  EXPECT_TRUE(backoff.may_attempt(t0 + std::chrono::milliseconds(100)));
}

TEST(ReconnectBackoff, success_restarts_from_the_initial_delay) {
  ReconnectBackoff backoff(100, 1000);
  const Clock::time_point t0{};
  backoff.on_failure(t0);
  backoff.on_failure(t0);
  backoff.on_success();
  EXPECT_EQ(backoff.next_delay_ms(), 100);
  EXPECT_TRUE(backoff.may_attempt(t0));
}

TEST(ModbusErrno, timeouts_exceptions_garbled_replies_and_lost_links_are_told_apart) {
  EXPECT_EQ(classify_modbus_errno(ETIMEDOUT), Errc::timeout);
  EXPECT_EQ(classify_modbus_errno(EMBXSBUSY), Errc::exception);
  EXPECT_EQ(classify_modbus_errno(EMBXILADD), Errc::exception);
  EXPECT_EQ(classify_modbus_errno(EMBBADDATA), Errc::timeout);
  EXPECT_EQ(classify_modbus_errno(EMBBADCRC), Errc::timeout);
  EXPECT_EQ(classify_modbus_errno(ECONNRESET), Errc::link);
  EXPECT_EQ(classify_modbus_errno(EPIPE), Errc::link);
}

}  // namespace
}  // namespace traction
