// SPDX-License-Identifier: Apache-2.0
#include "simulator/modbus/register_bank.hpp"

#include <algorithm>
#include <limits>
#include <new>
#include <utility>

namespace traction::sim {

namespace {

int index_of(Table t) {
  return static_cast<int>(t);
}

// What the master reads for a signal (input registers and read-back of holding registers).
double signal_value(const std::string& name, const SimDevice& d, std::uint16_t heartbeat) {
  const Drive& drive = d.drive();
  const Reading& r = d.reported();
  if (name == "control_word") return drive.control_word();
  if (name == "heartbeat") return heartbeat;
  if (name == "target") return drive.target();
  if (name == "watchdog_timeout") return drive.watchdog_timeout_ms();
  if (name == "velocity_limit") return drive.velocity_limit();
  if (name == "status_word") return drive.status_word();
  if (name == "fault_code") return drive.fault_code();
  if (name == "actual") return r.axis;
  if (name == "actual_velocity") return r.velocity;
  if (name == "actual_force") return r.force_n;
  if (name == "rope_position") return d.rope_position_mm();
  if (name == "stop_switch") return d.stop_pressed() ? 1 : 0;
  if (name == "stop_switch_connected") return d.stop_connected() ? 1 : 0;
  if (name == "end_stop_low") return d.end_stop_low() ? 1 : 0;
  if (name == "end_stop_high") return d.end_stop_high() ? 1 : 0;
  if (name == "vendor_id") return kVendorId;
  if (name == "product_code") return product_code(d.kind());
  if (name == "firmware_version") return kFirmwareVersion;
  return 0.0;
}

std::pair<double, double> raw_range(ValueType type) {
  switch (type) {
    case ValueType::i16:
      return {-32768.0, 32767.0};
    case ValueType::u32:
      return {0.0, 4294967295.0};
    case ValueType::i32:
      return {-2147483648.0, 2147483647.0};
    case ValueType::f32:
      return {-3.0e38, 3.0e38};
    default:
      return {0.0, 65535.0};
  }
}

// Order in which written signals take effect: limits and target first, the controlword last.
constexpr const char* kWriteOrder[] = {"watchdog_timeout", "velocity_limit", "target", "heartbeat",
                                       "control_word"};

}  // namespace

RegisterBank::RegisterBank(const RegisterMap& map) : map_(map) {
  int lo[4];
  int hi[4];
  std::fill(std::begin(lo), std::end(lo), std::numeric_limits<int>::max());
  std::fill(std::begin(hi), std::end(hi), 0);
  for (const auto& [name, spec] : map_.signals()) {
    const int t = index_of(spec.table);
    lo[t] = std::min(lo[t], spec.address);
    hi[t] = std::max(hi[t], spec.address + spec.width());
  }
  for (int t = 0; t < 4; ++t) {
    start_[t] = hi[t] > 0 ? lo[t] : 0;
    count_[t] = hi[t] > 0 ? hi[t] - lo[t] : 0;
  }
  mapping_ = modbus_mapping_new_start_address(
      static_cast<unsigned>(start_[0]), static_cast<unsigned>(count_[0]),
      static_cast<unsigned>(start_[1]), static_cast<unsigned>(count_[1]),
      static_cast<unsigned>(start_[2]), static_cast<unsigned>(count_[2]),
      static_cast<unsigned>(start_[3]), static_cast<unsigned>(count_[3]));
  if (mapping_ == nullptr) throw std::bad_alloc();
}

RegisterBank::~RegisterBank() {
  modbus_mapping_free(mapping_);
}

std::uint16_t* RegisterBank::words(Table table, int address) {
  const int offset = address - start_[index_of(table)];
  switch (table) {
    case Table::holding:
      return &mapping_->tab_registers[offset];
    case Table::input:
      return &mapping_->tab_input_registers[offset];
    default:
      return nullptr;  // bit tables go through scratch_
  }
}

void RegisterBank::store(const SignalSpec& spec, double value) {
  if (spec.table == Table::coil || spec.table == Table::discrete_input) {
    const int offset = spec.address - start_[index_of(spec.table)];
    std::uint8_t* bits = spec.table == Table::coil ? mapping_->tab_bits : mapping_->tab_input_bits;
    bits[offset] = value != 0.0 ? 1 : 0;
    return;
  }
  // A reading that does not fit its register is pinned at the register's range: for a reading,
  // unlike a target, a saturated value is more useful than none.
  std::uint16_t* w = words(spec.table, spec.address);
  if (!encode_value(spec, value, w).ok()) {
    const auto [raw_lo, raw_hi] = raw_range(spec.type);
    const double a = raw_lo * spec.scale + spec.offset;
    const double b = raw_hi * spec.scale + spec.offset;
    (void)encode_value(spec, std::clamp(value, std::min(a, b), std::max(a, b)), w);
  }
}

double RegisterBank::load(const SignalSpec& spec) {
  if (spec.table == Table::coil || spec.table == Table::discrete_input) {
    const int offset = spec.address - start_[index_of(spec.table)];
    const std::uint8_t* bits =
        spec.table == Table::coil ? mapping_->tab_bits : mapping_->tab_input_bits;
    return bits[offset] != 0 ? 1.0 : 0.0;
  }
  return decode_value(spec, words(spec.table, spec.address));
}

void RegisterBank::refresh(const SimDevice& device) {
  // Flags share words: clear every register first, then OR each signal in.
  std::fill_n(mapping_->tab_registers, count_[index_of(Table::holding)], 0);
  std::fill_n(mapping_->tab_input_registers, count_[index_of(Table::input)], 0);
  for (const auto& [name, spec] : map_.signals())
    store(spec, signal_value(name, device, heartbeat_));
}

void RegisterBank::apply_write(Table table, int address, int count, SimDevice& device) {
  Drive& drive = device.drive();
  for (const char* name : kWriteOrder) {
    const SignalSpec* spec = map_.find(name);
    if (spec == nullptr || spec->table != table) continue;
    if (spec->address + spec->width() <= address || address + count <= spec->address) continue;
    const double value = load(*spec);
    const std::string n = name;
    if (n == "watchdog_timeout") {
      drive.write_watchdog_timeout_ms(static_cast<std::uint16_t>(std::clamp(value, 0.0, 65535.0)));
    } else if (n == "velocity_limit") {
      drive.write_velocity_limit(value);
    } else if (n == "target") {
      drive.write_target(value);
    } else if (n == "heartbeat") {
      heartbeat_ = static_cast<std::uint16_t>(std::clamp(value, 0.0, 65535.0));
    } else {
      drive.write_control_word(static_cast<std::uint16_t>(std::clamp(value, 0.0, 65535.0)));
    }
  }
}

}  // namespace traction::sim
