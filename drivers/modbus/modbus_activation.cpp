// SPDX-License-Identifier: Apache-2.0
// Activation of a Modbus drive (issue 4 item 4) and fault reset: identity, watchdog armed and read
// back, stop switch checked, setpoint = measured, then the CiA 402 walk one write at a time with a
// read-back and a bounded wait per step.
#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>

#include "drivers/modbus/modbus_driver.hpp"

namespace traction {
namespace {

// A drive answers a controlword within a few of its cycles (typically 1-10 ms); a second is a
// generous bound that still keeps a stuck activation short.
constexpr auto kStepTimeout = std::chrono::milliseconds(1000);
// Pause between status polls while waiting on a transition, so the wait does not flood the bus.
constexpr auto kPollInterval = std::chrono::milliseconds(5);

std::string hex16(unsigned value) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%04X", value & 0xFFFFU);
  return text;
}

bool faulted(cia402::State s) {
  return s == cia402::State::fault || s == cia402::State::fault_reaction_active;
}

}  // namespace

ModbusDriver::Identity ModbusDriver::identity() const {
  return {image_.value("vendor_id"), image_.value("product_code"), image_.value("firmware_version")};
}

Status ModbusDriver::read_fresh(DeviceState& state) {
  if (Status s = read_image(); !s) return s;
  decode_into(state);
  state.stamp = Clock::now();
  state.fresh = true;
  return {};
}

Status ModbusDriver::check_stop_switch(const DeviceState& state) const {
  if (!state.stop_connected) {
    return {Errc::refused, "the patient stop switch is unplugged; plug it in before activating the drive"};
  }
  if (state.stop_pressed) return {Errc::refused, "the patient stop switch is pressed"};
  return {};
}

Status ModbusDriver::refuse(Status why) {
  // Leave the drive disabled whatever happened; best effort, the link may be what failed.
  control_word_ = cia402::kShutdown;
  write_frame(last_target_);
  spdlog::warn("modbus: activation of {} refused: {}", device_.name, why.message());
  return why;
}

Status ModbusDriver::arm_watchdog() {
  const SignalSpec* spec = device_.registers.find("watchdog_timeout");
  const bool external = device_.watchdog.external_hardware;
  const int timeout_ms = device_.watchdog.timeout_ms;
  if (spec == nullptr) {
    spdlog::info("modbus: {} has no watchdog register; relying on its declared external hardware watchdog",
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
  if (s.code() == Errc::link || s.code() == Errc::timeout) return s;  // unreachable now, not refused
  if (external) {
    spdlog::warn("modbus: cannot arm the drive watchdog of {} ({}); continuing on the declared external "
                 "hardware watchdog", device_.name, s.message());
    return {};
  }
  return {Errc::refused, "the drive's communication-loss watchdog cannot be armed (" + s.message() +
                             "); declare \"watchdog\": {\"external_hardware\": true} only when an "
                             "independent hardware watchdog exists"};
}

void ModbusDriver::cap_drive_velocity() {
  const SignalSpec* spec = device_.registers.find("velocity_limit");
  const nlohmann::json& limits = device_.limits;
  if (spec == nullptr || !limits.is_object()) return;
  double cap = 0.0;
  for (const char* key : {"max_rate_up", "max_rate_down"}) {
    if (limits.contains(key) && limits[key].is_number()) cap = std::max(cap, limits[key].get<double>());
  }
  if (cap <= 0.0) return;
  // A second, drive-side rate cap under the governor's (safety layer L0): best effort, because the
  // governor already enforces the same limits and the issue does not require it.
  Words words(static_cast<std::size_t>(spec->width()), 0);
  Status s = encode_value(*spec, cap, words.data());
  if (s) s = link_.write(spec->table, spec->address, words);
  if (s) {
    spdlog::info("modbus: {} drive velocity limit set to {} {}/s", device_.name, cap, axis_unit(device_.kind));
  } else {
    spdlog::warn("modbus: {} drive velocity limit not set: {}", device_.name, s.message());
  }
}

Status ModbusDriver::wait_until(DeviceState& state, const std::function<bool(cia402::State)>& done,
                                const std::string& goal, bool walking) {
  const auto deadline = Clock::now() + kStepTimeout;
  while (true) {
    if (Status s = read_fresh(state); !s) return s;
    if (done(state.drive)) return {};
    if (walking) {
      if (Status s = check_stop_switch(state); !s) return s;
      if (faulted(state.drive)) {
        return {Errc::refused, "the drive faulted (fault code " + hex16(state.fault_code) + ") while " + goal};
      }
    }
    if (Clock::now() >= deadline) {
      return {Errc::timeout, "the drive did not finish " + goal + " within " +
                                 std::to_string(kStepTimeout.count()) + " ms (status word " +
                                 hex16(state.status_word) + ", " + cia402::to_string(state.drive) + ")"};
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

Status ModbusDriver::step_to(std::uint16_t control_word, cia402::State expected, DeviceState& state) {
  control_word_ = control_word;
  // The setpoint is the measured value on every step, so enabling operation cannot make a jump.
  if (Status s = write_frame(state.actual); !s) return s;
  const std::string goal = "controlword " + hex16(control_word) + " -> " + cia402::to_string(expected);
  spdlog::debug("modbus: {}", goal);
  return wait_until(state, [expected](cia402::State s) { return s == expected; }, goal, true);
}

Status ModbusDriver::activate() {
  if (Status s = configure(); !s) return s;  // (re)reads the identity
  DeviceState state;
  if (Status s = read_fresh(state); !s) return s;
  if (faulted(state.drive)) {
    return {Errc::state, "the drive is in fault (fault code " + hex16(state.fault_code) + "); reset it first"};
  }
  if (Status s = check_stop_switch(state); !s) return refuse(s);
  if (Status s = arm_watchdog(); !s) return refuse(s);
  cap_drive_velocity();
  // At most one pass through the whole state machine; more means the drive keeps falling back.
  for (int step = 0; step < 6; ++step) {
    if (Status s = read_fresh(state); !s) return refuse(s);
    if (Status s = check_stop_switch(state); !s) return refuse(s);
    Status s;
    switch (state.drive) {
      case cia402::State::operation_enabled:
        control_word_ = cia402::kEnableOperation;
        if (s = write_frame(state.actual); !s) return refuse(s);
        spdlog::info("modbus: {} operation enabled at {} {}", device_.name, state.actual,
                     axis_unit(device_.kind));
        return {};
      case cia402::State::switch_on_disabled:
        s = step_to(cia402::kShutdown, cia402::State::ready_to_switch_on, state);
        break;
      case cia402::State::ready_to_switch_on:
        s = step_to(cia402::kSwitchOn, cia402::State::switched_on, state);
        break;
      case cia402::State::switched_on:
        s = step_to(cia402::kEnableOperation, cia402::State::operation_enabled, state);
        break;
      case cia402::State::quick_stop_active:
        s = step_to(cia402::kDisableVoltage, cia402::State::switch_on_disabled, state);
        break;
      case cia402::State::not_ready_to_switch_on:
        s = wait_until(state, [](cia402::State d) { return d != cia402::State::not_ready_to_switch_on; },
                       "its own start-up", true);
        break;
      case cia402::State::fault:
      case cia402::State::fault_reaction_active:
        s = {Errc::refused, "the drive faulted (fault code " + hex16(state.fault_code) + ") during activation"};
        break;
    }
    if (!s) return refuse(s);
  }
  return refuse({Errc::refused, "the drive did not reach operation enabled"});
}

Status ModbusDriver::reset_fault() {
  // Bit 7 acts on a rising edge: write it low, then high, then low again for the next reset.
  control_word_ = cia402::kDisableVoltage;
  if (Status s = write_frame(last_target_); !s) return s;
  control_word_ = cia402::kDisableVoltage | cia402::kFaultResetBit;
  if (Status s = write_frame(last_target_); !s) return s;
  DeviceState state;
  Status cleared = wait_until(state, [](cia402::State d) { return !faulted(d); }, "the fault reset", false);
  control_word_ = cia402::kDisableVoltage;
  if (Status s = write_frame(last_target_); !s) return s;
  if (cleared.code() == Errc::timeout) {
    return {Errc::refused, "the drive fault persists (fault code " + hex16(state.fault_code) + ")"};
  }
  if (cleared) spdlog::info("modbus: {} fault reset", device_.name);
  return cleared;
}

}  // namespace traction
