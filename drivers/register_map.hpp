// SPDX-License-Identifier: Apache-2.0
// A device's register map as data (NUT apc_modbus habit): each signal names its Modbus table,
// 0-based address, type, word order, scale and offset. Everything else walks this table. The
// daemon's driver and traction-sim both load the same files from config/devices/, so they cannot
// drift apart.
#pragma once

#include <array>
#include <cstddef>
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

// The signals a map may define: a closed list, so code names them by value and never by string.
enum class Signal : std::uint8_t {
  control_word,
  status_word,
  target,
  actual,
  fault_code,
  stop_switch,
  stop_switch_connected,
  actual_force,
  actual_velocity,
  velocity_limit,
  watchdog_timeout,
  heartbeat,
  end_stop_low,
  end_stop_high,
  vendor_id,
  product_code,
  firmware_version,
  rope_position,
};
inline constexpr std::size_t kSignalCount = static_cast<std::size_t>(Signal::rope_position) + 1;

// Each signal's name in device files, and whether every map must have it.
struct SignalName {
  Signal signal;
  const char* name;
  bool required;
};
inline constexpr SignalName kSignalNames[] = {
    {Signal::control_word, "control_word", true},
    {Signal::status_word, "status_word", true},
    {Signal::target, "target", true},
    {Signal::actual, "actual", true},
    {Signal::fault_code, "fault_code", true},
    {Signal::stop_switch, "stop_switch", true},
    {Signal::stop_switch_connected, "stop_switch_connected", true},
    {Signal::actual_force, "actual_force", false},
    {Signal::actual_velocity, "actual_velocity", false},
    {Signal::velocity_limit, "velocity_limit", false},
    {Signal::watchdog_timeout, "watchdog_timeout", false},
    {Signal::heartbeat, "heartbeat", false},
    {Signal::end_stop_low, "end_stop_low", false},
    {Signal::end_stop_high, "end_stop_high", false},
    {Signal::vendor_id, "vendor_id", false},
    {Signal::product_code, "product_code", false},
    {Signal::firmware_version, "firmware_version", false},
    {Signal::rope_position, "rope_position", false},
};

const char* to_string(Signal signal);
// The signal a device file names `name`; std::nullopt for an unknown name.
std::optional<Signal> signal_named(const std::string& name);

// What the driver reads every control cycle: the drive's state and the readings it decodes.
inline constexpr Signal kCycleSignals[] = {
    Signal::status_word,           Signal::fault_code,   Signal::actual,
    Signal::actual_velocity,       Signal::actual_force, Signal::stop_switch,
    Signal::stop_switch_connected, Signal::end_stop_low, Signal::end_stop_high,
    Signal::rope_position};
// What the driver reads once, when it configures the link.
inline constexpr Signal kIdentitySignals[] = {Signal::vendor_id, Signal::product_code,
                                              Signal::firmware_version};

// One named signal. Engineering value = raw * scale + offset.
struct SignalSpec {
  std::string name;
  Signal signal = Signal::actual;
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

class RegisterMap {
 public:
  RegisterMap() = default;
  // Copies re-resolve the signal index into the copy's own specs.
  RegisterMap(const RegisterMap& other);
  RegisterMap& operator=(const RegisterMap& other);

  // Parses the "registers" object of a device file. Validates types, widths, flags, overlaps
  // between signals of the same table and the presence of required signals; throws ConfigError.
  static RegisterMap parse(ObjectReader& registers);

  const SignalSpec* find(Signal signal) const {
    return by_signal_[static_cast<std::size_t>(signal)];
  }
  const SignalSpec* find(const std::string& name) const;  // tools and tests; not for a cycle
  const SignalSpec& at(const std::string& name) const;    // throws std::out_of_range
  const std::map<std::string, SignalSpec>& signals() const { return signals_; }

  // The fewest read requests that cover every signal of the map (computed at load). Two signals
  // join a block when they are contiguous in the same table and the block stays within one request.
  const std::vector<ReadBlock>& read_blocks() const { return read_blocks_; }
  // The same blocks trimmed to the signals a control cycle decodes (kCycleSignals), and to the
  // identity (kIdentitySignals): never more requests than read_blocks(), never a gap bridged.
  const std::vector<ReadBlock>& cycle_blocks() const { return cycle_blocks_; }
  const std::vector<ReadBlock>& identity_blocks() const { return identity_blocks_; }

  // read_blocks() trimmed to cover `wanted`: a block holding none of them is dropped, the others
  // shrink to the span of the wanted signals they hold.
  template <std::size_t N>
  std::vector<ReadBlock> blocks_for(const Signal (&wanted)[N]) const {
    return blocks_for(wanted, N);
  }
  std::vector<ReadBlock> blocks_for(const Signal* wanted, std::size_t count) const;

 private:
  void validate() const;
  void group_reads();
  void index();

  std::map<std::string, SignalSpec> signals_;
  std::array<const SignalSpec*, kSignalCount> by_signal_{};  // into signals_
  std::vector<ReadBlock> read_blocks_;
  std::vector<ReadBlock> cycle_blocks_;
  std::vector<ReadBlock> identity_blocks_;
};

// Raw 16-bit words (registers) or bits (0/1 per entry, for coil and discrete tables).
using Words = std::vector<std::uint16_t>;

// Decodes a signal from the words at its address; `words` points at the signal's first word.
double decode_value(const SignalSpec& spec, const std::uint16_t* words);
// Encodes an engineering value into raw words (width() entries). Fails when the value does not fit
// the raw type after scaling: a target is never silently wrapped or saturated.
Status encode_value(const SignalSpec& spec, double value, std::uint16_t* words);

// Holds the words of a set of read blocks, as read in one go, and decodes signals from them. Where
// each signal sits (which block, which word) is resolved once, when the image is built, so decoding
// a signal is an array index: no lookup by name, no allocation.
class RegisterImage {
 public:
  // An image of `blocks`, which must come from `map` (read_blocks(), cycle_blocks(), ...). The map
  // must outlive the image.
  RegisterImage(const RegisterMap& map, std::vector<ReadBlock> blocks);
  explicit RegisterImage(const RegisterMap& map) : RegisterImage(map, map.read_blocks()) {}

  const std::vector<ReadBlock>& blocks() const { return blocks_; }
  // Words of block `index` in blocks() order.
  Words& block(std::size_t index) { return words_[index]; }
  // Engineering value of a signal; std::nullopt if the map lacks it or no block covers it.
  std::optional<double> value(Signal signal) const;
  // A flag (or any value) read as true when non-zero; false when absent.
  bool flag(Signal signal) const { return value(signal).value_or(0.0) != 0.0; }

 private:
  struct Slot {
    const SignalSpec* spec = nullptr;  // nullptr: not covered
    std::size_t block = 0;
    std::size_t offset = 0;  // words from the block's start
  };

  std::vector<ReadBlock> blocks_;
  std::vector<Words> words_;
  std::array<Slot, kSignalCount> slots_{};
};

}  // namespace traction
