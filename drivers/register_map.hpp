// SPDX-License-Identifier: Apache-2.0
// A device's register map as data (NUT apc_modbus habit): each signal names its Modbus table, 0-based
// address, type, word order, scale and offset. Everything else walks this table. The daemon's driver
// and traction-sim both load the same files from config/devices/, so they cannot drift apart.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/config_reader.hpp"
#include "core/result.hpp"

namespace traction {

enum class Table { coil, discrete_input, holding, input };
enum class ValueType { boolean, u16, i16, u32, i32, f32 };
// For 32-bit values: which 16-bit word comes first at the lower address.
enum class WordOrder { high_first, low_first };

const char* to_string(Table table);
const char* to_string(ValueType type);

// One named signal. Engineering value = raw * scale + offset.
struct SignalSpec {
  std::string name;
  Table table = Table::holding;
  int address = 0;  // 0-based protocol address (NOT the "40001" reference number)
  ValueType type = ValueType::u16;
  WordOrder word_order = WordOrder::high_first;
  double scale = 1.0;
  double offset = 0.0;
  std::optional<int> bit;  // a flag held in one bit of a 16-bit register
  std::string unit;

  // Registers (or bits, for coil and discrete tables) this signal occupies.
  int width() const;
  bool is_flag() const { return type == ValueType::boolean || bit.has_value(); }
  bool writable() const { return table == Table::holding || table == Table::coil; }
};

// A contiguous range read in one Modbus request.
struct ReadBlock {
  Table table = Table::holding;
  int address = 0;
  int count = 0;
};

// The signal names a map may define. The first ones are required of every device.
inline constexpr const char* kRequiredSignals[] = {
    "control_word", "status_word", "target", "actual", "fault_code", "stop_switch",
    "stop_switch_connected"};
inline constexpr const char* kOptionalSignals[] = {
    "actual_force",   "actual_velocity", "velocity_limit", "watchdog_timeout", "heartbeat",
    "end_stop_low",   "end_stop_high",   "vendor_id",      "product_code",     "firmware_version",
    "rope_position"};

class RegisterMap {
 public:
  // Parses the "registers" object of a device file. Validates types, widths, flags, overlaps
  // between signals of the same table and the presence of required signals; throws ConfigError.
  static RegisterMap parse(ObjectReader& registers);

  const SignalSpec* find(const std::string& name) const;
  const SignalSpec& at(const std::string& name) const;  // throws std::out_of_range
  const std::map<std::string, SignalSpec>& signals() const { return signals_; }

  // The fewest read requests that cover every readable signal (computed at load). Two signals join
  // a block when they are contiguous in the same table and the block stays within one request.
  const std::vector<ReadBlock>& read_blocks() const { return read_blocks_; }

 private:
  void validate() const;
  void group_reads();

  std::map<std::string, SignalSpec> signals_;
  std::vector<ReadBlock> read_blocks_;
};

// Raw 16-bit words (registers) or bits (0/1 per entry, for coil and discrete tables).
using Words = std::vector<std::uint16_t>;

// Decodes a signal from the words at its address; `words` points at the signal's first word.
double decode_value(const SignalSpec& spec, const std::uint16_t* words);
// Encodes an engineering value into raw words (width() entries). Fails when the value does not fit
// the raw type after scaling: a target is never silently wrapped or saturated.
Status encode_value(const SignalSpec& spec, double value, std::uint16_t* words);

// Holds the words of every read block, as read in one cycle, and decodes signals from them.
class RegisterImage {
 public:
  explicit RegisterImage(const RegisterMap& map);
  // Words of block `index` in RegisterMap::read_blocks() order.
  Words& block(std::size_t index) { return blocks_.at(index); }
  // Engineering value of a readable signal; std::nullopt if the map lacks it.
  std::optional<double> value(const std::string& name) const;
  bool flag(const std::string& name) const;

 private:
  const RegisterMap& map_;
  std::vector<Words> blocks_;
};

}  // namespace traction
