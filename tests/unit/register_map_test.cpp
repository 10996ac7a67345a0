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
    EXPECT_NE(std::string(e.what()).find("\"actual\" and \"fault_code\" overlap"), std::string::npos)
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
    EXPECT_NE(std::string(e.what()).find("did you mean \"stop_switch\""), std::string::npos) << e.what();
  }
}

TEST(RegisterMapLoad, when_target_in_read_only_table_expect_error) {
  auto j = minimal_registers();
  j["target"]["table"] = "input";
  j["target"]["address"] = 10;
  EXPECT_THROW(parse(j), ConfigError);
}

TEST(DeviceFiles, shipped_sim_maps_load_and_read_in_two_requests) {
  for (const char* name : {"sim-inversion.json", "sim-traction.json"}) {
    auto file = load_device_file(std::string(TRACTION_SOURCE_DIR) + "/config/devices/" + name);
    ASSERT_TRUE(file.ok()) << file.status().message();
    EXPECT_EQ(file->registers.read_blocks().size(), 2U) << name;
  }
}

}  // namespace
}  // namespace traction
