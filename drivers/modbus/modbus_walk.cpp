// SPDX-License-Identifier: Apache-2.0
// What a Modbus drive needs before a walk toward operation enabled leaves the bottom of its state
// machine: its communication-loss watchdog armed and read back (or an external
// hardware watchdog declared), and its own velocity cap set. Done once per walk, from write().
#include <spdlog/spdlog.h>

#include <cmath>

#include "drivers/modbus/modbus_driver.hpp"

namespace traction {

Status ModbusDriver::prepare_walk() {
  if (Status s = arm_watchdog(); !s) {
    if (s.code() != Errc::refused) {  // the link failed: this cycle's write failed
      last_write_ok_ = false;
      note_failure();
      return s;
    }
    // Reported to the caller, who may try again on every cycle: no log line per attempt here.
    spdlog::debug("modbus: walk of {} toward enabled refused: {}", device_.name, s.message());
    return s;
  }
  cap_drive_velocity();
  walk_prepared_ = true;
  return {};
}

Status ModbusDriver::arm_watchdog() {
  const SignalSpec* spec = device_.registers.find(Signal::watchdog_timeout);
  const bool external = device_.watchdog.external_hardware;
  const int timeout_ms = device_.watchdog.timeout_ms;
  if (spec == nullptr) {
    spdlog::info(
        "modbus: {} has no watchdog register; relying on its declared external hardware watchdog",
        device_.name);
    return {};
  }
  Words words(static_cast<std::size_t>(spec->width()), 0);
  Status s = encode_value(*spec, timeout_ms, words.data());
  if (s) s = link_.write(spec->table, spec->address, words);
  Words back;
  if (s) s = link_.read(ReadBlock{spec->table, spec->address, spec->width()}, back);
  if (s) {
    const double read_back = decode_value(*spec, back.data());
    // One raw step of tolerance: a scale of 10 ms per count cannot represent 505 ms exactly.
    if (std::abs(read_back - timeout_ms) > std::max(0.5, std::abs(spec->scale))) {
      s = {Errc::refused, "wrote " + std::to_string(timeout_ms) + " ms, read back " +
                              std::to_string(read_back) + " ms"};
    }
  }
  if (s) {
    spdlog::info("modbus: {} communication-loss watchdog armed at {} ms", device_.name, timeout_ms);
    return {};
  }
  if (s.code() == Errc::link || s.code() == Errc::timeout)
    return s;  // unreachable now, not refused
  if (external) {
    spdlog::warn(
        "modbus: cannot arm the drive watchdog of {} ({}); continuing on the declared external "
        "hardware watchdog",
        device_.name, s.message());
    return {};
  }
  return {Errc::refused, "the drive's communication-loss watchdog cannot be armed (" + s.message() +
                             "); declare \"watchdog\": {\"external_hardware\": true} only when an "
                             "independent hardware watchdog exists"};
}

void ModbusDriver::cap_drive_velocity() {
  const SignalSpec* spec = device_.registers.find(Signal::velocity_limit);
  const nlohmann::json& limits = device_.limits;
  if (spec == nullptr || !limits.is_object()) return;
  double cap = 0.0;
  for (const char* key : {"max_rate_up", "max_rate_down"}) {
    if (limits.contains(key) && limits[key].is_number())
      cap = std::max(cap, limits[key].get<double>());
  }
  if (cap <= 0.0) return;
  // A second, drive-side rate cap under the governor's (safety layer L0): best effort, because the
  // governor already enforces the same limits and the issue does not require it.
  Words words(static_cast<std::size_t>(spec->width()), 0);
  Status s = encode_value(*spec, cap, words.data());
  if (s) s = link_.write(spec->table, spec->address, words);
  if (s) {
    spdlog::info("modbus: {} drive velocity limit set to {} {}/s", device_.name, cap,
                 axis_unit(device_.kind));
  } else {
    spdlog::warn("modbus: {} drive velocity limit not set: {}", device_.name, s.message());
  }
}

}  // namespace traction
