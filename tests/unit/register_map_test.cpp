// SPDX-License-Identifier: Apache-2.0
#include "drivers/register_map.hpp"

#include <gtest/gtest.h>

#include "drivers/device_file.hpp"

namespace traction {
namespace {

SignalSpec spec(ValueType type, double scale = 1.0, WordOrder order = WordOrder::high_first) {
  SignalSpec s;
  s.name = "x";
  s.type = type;
  s.scale = scale;
  s.word_order = order;
  return s;
}

TEST(RegisterDecoding, i32_high_first_with_scale_round_trips_negative_values) {
  const SignalSpec s = spec(ValueType::i32, 0.001);
  std::uint16_t w[2] = {};
  ASSERT_TRUE(encode_value(s, -12.345, w).ok());
  EXPECT_EQ(w[0], 0xFFFF);
  EXPECT_EQ(w[1], static_cast<std::uint16_t>(-12345 & 0xFFFF));
  EXPECT_DOUBLE_EQ(decode_value(s, w), -12.345);
}

TEST(RegisterDecoding, low_first_word_order_swaps_words) {
  const SignalSpec s = spec(ValueType::u32, 1.0, WordOrder::low_first);
  std::uint16_t w[2] = {};
  ASSERT_TRUE(encode_value(s, 0x12345678, w).ok());
  EXPECT_EQ(w[0], 0x5678);
  EXPECT_EQ(w[1], 0x1234);
  EXPECT_DOUBLE_EQ(decode_value(s, w), 0x12345678);
}

TEST(RegisterDecoding, f32_and_i16_and_offset) {
  SignalSpec f = spec(ValueType::f32);
  std::uint16_t w[2] = {};
  ASSERT_TRUE(encode_value(f, 3.5, w).ok());
  EXPECT_EQ(w[0], 0x4060);  // 3.5f = 0x40600000
  EXPECT_EQ(w[1], 0x0000);
  EXPECT_FLOAT_EQ(static_cast<float>(decode_value(f, w)), 3.5F);

  SignalSpec i = spec(ValueType::i16, 0.1);
  i.offset = -100.0;
  ASSERT_TRUE(encode_value(i, -150.0, w).ok());  // raw = (-150 + 100) / 0.1 = -500
  EXPECT_EQ(static_cast<std::int16_t>(w[0]), -500);
  EXPECT_DOUBLE_EQ(decode_value(i, w), -150.0);
}

TEST(RegisterDecoding, bit_flags_read_and_write_one_bit_only) {
  SignalSpec s = spec(ValueType::u16);
  s.bit = 3;
  std::uint16_t w[1] = {0x0001};
  ASSERT_TRUE(encode_value(s, 1.0, w).ok());
  EXPECT_EQ(w[0], 0x0009);
  EXPECT_DOUBLE_EQ(decode_value(s, w), 1.0);
  ASSERT_TRUE(encode_value(s, 0.0, w).ok());
  EXPECT_EQ(w[0], 0x0001);
}

TEST(RegisterDecoding, when_value_does_not_fit_expect_error_not_wrap) {
  const SignalSpec s = spec(ValueType::u16, 0.01);
  std::uint16_t w[1] = {};
  EXPECT_FALSE(encode_value(s, 700.0, w).ok());  // raw 70000 > 65535
  EXPECT_FALSE(encode_value(s, -0.5, w).ok());
  EXPECT_FALSE(encode_value(s, std::nan(""), w).ok());
}

nlohmann::json minimal_registers() {
  return nlohmann::json::parse(R"({
    "control_word": {"table": "holding", "address": 0},
    "target": {"table": "holding", "address": 1, "type": "i32"},
    "watchdog_timeout": {"table": "holding", "address": 3},
    "status_word": {"table": "input", "address": 0},
    "fault_code": {"table": "input", "address": 1},
    "actual": {"table": "input", "address": 2, "type": "i32"},
    "stop_switch": {"table": "discrete_input", "address": 0},
    "stop_switch_connected": {"table": "discrete_input", "address": 1}
  })");
}

RegisterMap parse(const nlohmann::json& j) {
  ObjectReader r(j, "test.json", "/registers");
  return RegisterMap::parse(r);
}

TEST(RegisterMapLoad, groups_contiguous_signals_into_one_block_per_table) {
  const RegisterMap map = parse(minimal_registers());
  ASSERT_EQ(map.read_blocks().size(), 3U);
  EXPECT_EQ(map.read_blocks()[0].table, Table::discrete_input);
  EXPECT_EQ(map.read_blocks()[0].count, 2);
  EXPECT_EQ(map.read_blocks()[1].table, Table::holding);
  EXPECT_EQ(map.read_blocks()[1].count, 4);
  EXPECT_EQ(map.read_blocks()[2].table, Table::input);
  EXPECT_EQ(map.read_blocks()[2].count, 4);
}

TEST(RegisterMapLoad, when_signals_overlap_expect_error_naming_both) {
  auto j = minimal_registers();
  j["fault_code"]["address"] = 3;  // inside "actual" (2..3)
  try {
    parse(j);
    FAIL() << "overlap accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("\"actual\" and \"fault_code\" overlap"),
              std::string::npos)
        << e.what();
  }
}

TEST(RegisterMapLoad, when_required_signal_missing_expect_error_with_path) {
  auto j = minimal_registers();
  j.erase("status_word");
  EXPECT_THROW(
      {
        try {
          parse(j);
        } catch (const ConfigError& e) {
          EXPECT_NE(std::string(e.what()).find("/registers/status_word"), std::string::npos);
          throw;
        }
      },
      ConfigError);
}

TEST(RegisterMapLoad, when_signal_name_misspelt_expect_did_you_mean) {
  auto j = minimal_registers();
  j["stop_swtich"] = {{"table", "coil"}, {"address", 9}};
  try {
    parse(j);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean \"stop_switch\""), std::string::npos)
        << e.what();
  }
}

TEST(RegisterMapLoad, when_target_in_read_only_table_expect_error) {
  auto j = minimal_registers();
  j["target"]["table"] = "input";
  j["target"]["address"] = 10;
  EXPECT_THROW(parse(j), ConfigError);
}

TEST(RegisterMapLoad, cycle_blocks_keep_only_the_state_signals_of_each_block) {
  // holding 0..3 (control_word, target, watchdog) holds nothing a cycle decodes: dropped.
  const RegisterMap map = parse(minimal_registers());
  ASSERT_EQ(map.cycle_blocks().size(), 2U);
  EXPECT_EQ(map.cycle_blocks()[0].table, Table::discrete_input);
  EXPECT_EQ(map.cycle_blocks()[1].table, Table::input);
  EXPECT_EQ(map.cycle_blocks()[1].count, 4);
  EXPECT_TRUE(map.identity_blocks().empty());
}

TEST(RegisterMapLoad, identity_at_the_end_of_a_block_is_trimmed_off_the_cycle_but_never_splits_it) {
  auto j = minimal_registers();
  j["vendor_id"] = {{"table", "input"}, {"address", 4}};      // after actual: trimmed
  j["product_code"] = {{"table", "input"}, {"address", 10}};  // a block of its own: dropped
  const RegisterMap map = parse(j);
  ASSERT_EQ(map.read_blocks().size(), 4U);
  ASSERT_EQ(map.cycle_blocks().size(), 2U);
  EXPECT_EQ(map.cycle_blocks()[1].address, 0);
  EXPECT_EQ(map.cycle_blocks()[1].count, 4);
  ASSERT_EQ(map.identity_blocks().size(), 2U);
  EXPECT_EQ(map.identity_blocks()[0].address, 4);
  EXPECT_EQ(map.identity_blocks()[0].count, 1);
  EXPECT_EQ(map.identity_blocks()[1].address, 10);
}

TEST(RegisterMapLoad, signals_are_found_by_value_in_a_copy_of_the_map) {
  const RegisterMap copy = [] {
    const RegisterMap original = parse(minimal_registers());
    return RegisterMap(original);
  }();
  ASSERT_NE(copy.find(Signal::actual), nullptr);
  EXPECT_EQ(copy.find(Signal::actual),
            &copy.signals().at("actual"));  // into the copy, not the original
  EXPECT_EQ(copy.find(Signal::heartbeat), nullptr);
  EXPECT_EQ(signal_named("stop_switch_connected"), Signal::stop_switch_connected);
  EXPECT_FALSE(signal_named("stop_swtich").has_value());
  EXPECT_STREQ(to_string(Signal::rope_position), "rope_position");
}

TEST(RegisterImage, decodes_a_signal_from_the_slot_resolved_when_the_image_was_built) {
  const RegisterMap map = parse(minimal_registers());
  RegisterImage image(map, map.cycle_blocks());
  image.block(0) = {0, 1};                       // discrete: stop_switch 0, connected 1
  image.block(1) = {0x0027, 7, 0xFFFF, 0xFFFE};  // input: status, fault, actual -2 (high first)
  EXPECT_EQ(image.value(Signal::status_word), 0x0027);
  EXPECT_EQ(image.value(Signal::fault_code), 7);
  EXPECT_EQ(image.value(Signal::actual), -2);
  EXPECT_FALSE(image.flag(Signal::stop_switch));
  EXPECT_TRUE(image.flag(Signal::stop_switch_connected));
  EXPECT_FALSE(image.value(Signal::control_word).has_value());  // not read in a cycle
}

TEST(DeviceFiles, shipped_sim_maps_load_and_a_cycle_reads_in_one_request) {
  for (const char* name : {"sim-inversion.json", "sim-traction.json"}) {
    auto file = load_device_file(std::string(TRACTION_SOURCE_DIR) + "/config/devices/" + name);
    ASSERT_TRUE(file.ok()) << file.status().message();
    EXPECT_EQ(file->registers.read_blocks().size(), 2U) << name;
    EXPECT_EQ(file->registers.cycle_blocks().size(), 1U) << name;
  }
}

}  // namespace
}  // namespace traction
