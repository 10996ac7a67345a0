// SPDX-License-Identifier: Apache-2.0
// Cycle-time work of the Modbus driver: configuring the link (identity read once), reading the
// state, writing the command one CiA 402 transition at a time, counting failures. What a walk
// toward enabled does first (watchdog, velocity cap) is in modbus_walk.cpp.
#include "drivers/modbus/modbus_driver.hpp"

#include <spdlog/spdlog.h>

#include <cmath>

namespace traction {

std::unique_ptr<Driver> make_modbus_driver(const DeviceFile& device, const DeviceUri& uri,
                                           ModbusDriverOptions options) {
  return std::make_unique<ModbusDriver>(device, uri, options);
}

namespace {

LinkOptions link_options(const DeviceFile& device, const ModbusDriverOptions& options) {
  LinkOptions link;
  link.timeouts = device.timeouts;
  link.backoff_initial_ms = options.backoff_initial_ms;
  link.backoff_max_ms = options.backoff_max_ms;
  link.reopen_after_timeouts = std::max(1, options.max_consecutive_failures);
  link.rtu_fd = options.rtu_fd;
  return link;
}

// The states a walk toward enabled climbs through; before the first step out of them the walk is
// prepared (a fault, a fault reaction or a quick stop first leads back down to their bottom).
bool on_the_way_up(cia402::State s) {
  return s == cia402::State::switch_on_disabled || s == cia402::State::ready_to_switch_on ||
         s == cia402::State::switched_on || s == cia402::State::operation_enabled;
}

}  // namespace

ModbusDriver::ModbusDriver(const DeviceFile& device, const DeviceUri& uri,
                           ModbusDriverOptions options)
    : device_(device),
      options_(options),
      link_(uri, link_options(device, options)),
      image_(device_.registers, device_.registers.cycle_blocks()),
      writes_(plan_command_writes(device_.registers)) {
  if (writes_.ok()) {
    for (const WriteBlock& block : *writes_)
      encoded_.emplace_back(static_cast<std::size_t>(block.count), 0);
  }
}

Status ModbusDriver::configure() {
  if (!writes_.ok()) return {Errc::config, device_.source + ": " + writes_.status().message()};
  if (Status s = read_identity(); !s) return s;
  if (Status s = read_image(); !s) return s;
  DeviceState state;
  decode_into(state);
  note_drive(state.drive);
  auto text = [](const std::optional<double>& v) {
    return v ? std::to_string(std::llround(*v)) : "n/a";
  };
  spdlog::info("modbus: {} at {}: vendor_id {}, product_code {}, firmware {}", device_.name,
               to_string(link_.uri()), text(identity_.vendor_id), text(identity_.product_code),
               text(identity_.firmware_version));
  return {};
}

Status ModbusDriver::read_identity() {
  if (Status s = link_.ensure_open(Clock::now()); !s) return s;
  RegisterImage image(device_.registers, device_.registers.identity_blocks());
  for (std::size_t i = 0; i < image.blocks().size(); ++i) {
    if (Status s = link_.read(image.blocks()[i], image.block(i)); !s) return s;
  }
  identity_ = {image.value(Signal::vendor_id), image.value(Signal::product_code),
               image.value(Signal::firmware_version)};
  return {};
}

Status ModbusDriver::read_image() {
  if (Status s = link_.ensure_open(Clock::now()); !s) return s;
  const auto& blocks = image_.blocks();
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    // Fail fast: one failed block fails the cycle, and the next cycle starts afresh.
    if (Status s = link_.read(blocks[i], image_.block(i)); !s) return s;
  }
  reached_ = true;
  return {};
}

void ModbusDriver::decode_into(DeviceState& state) const {
  state.status_word = static_cast<std::uint16_t>(image_.value(Signal::status_word).value_or(0.0));
  state.drive = cia402::decode_status(state.status_word);
  state.actual = image_.value(Signal::actual).value_or(0.0);
  state.velocity = image_.value(Signal::actual_velocity);
  state.force_n = image_.value(Signal::actual_force);
  state.rope_mm = image_.value(Signal::rope_position);
  state.fault_code = static_cast<std::uint16_t>(image_.value(Signal::fault_code).value_or(0.0));
  state.stop_pressed = image_.flag(Signal::stop_switch);
  state.stop_connected = image_.flag(Signal::stop_switch_connected);
  state.end_stop_low = image_.flag(Signal::end_stop_low);
  state.end_stop_high = image_.flag(Signal::end_stop_high);
}

void ModbusDriver::note_drive(cia402::State drive) {
  // A drive that (re)enters the bottom of its state machine may have been power cycled, which
  // resets its watchdog setting: the next walk toward enabled arms it again.
  auto bottom = [](cia402::State s) {
    return s == cia402::State::switch_on_disabled || s == cia402::State::not_ready_to_switch_on;
  };
  if (bottom(drive) && !bottom(drive_)) walk_prepared_ = false;
  drive_ = drive;
}

void ModbusDriver::note_failure() {
  if (counted_cycle_ == cycle_) return;
  counted_cycle_ = cycle_;
  ++failures_;
}

Status ModbusDriver::read(DeviceState& state) {
  ++cycle_;
  const Status status = read_image();
  if (status) {
    if (last_write_ok_) failures_ = 0;
    decode_into(state);
    note_drive(state.drive);
    state.stamp = Clock::now();
  } else {
    note_failure();
    spdlog::debug("modbus: read failed ({} consecutive): {}", failures_, status.message());
  }
  last_write_ok_ = true;
  state.fresh = status.ok();
  state.consecutive_failures = failures_;
  // A device never reached is not available, however few the failures so far.
  state.available =
      reached_ && failures_ < static_cast<std::uint32_t>(options_.max_consecutive_failures);
  if (state.available != was_available_) {
    if (state.available) {
      spdlog::info("modbus: {} available", device_.name);
    } else {
      spdlog::error("modbus: {} unavailable after {} failed cycles: {}", device_.name, failures_,
                    status.ok() ? "writes failing" : status.message());
    }
    was_available_ = state.available;
  }
  return status;
}

Status ModbusDriver::write_frame(std::uint16_t control_word, double target) {
  if (!writes_.ok()) return {Errc::config, writes_.status().message()};
  const CommandFrame frame{control_word, ++heartbeat_, target};
  // Encode everything before sending anything: a target that does not fit is never half-written.
  for (std::size_t i = 0; i < encoded_.size(); ++i) {
    if (Status s = encode_command((*writes_)[i], frame, encoded_[i]); !s) return s;
  }
  Status status = link_.ensure_open(Clock::now());
  for (std::size_t i = 0; status && i < encoded_.size(); ++i) {
    status = link_.write((*writes_)[i].table, (*writes_)[i].address, encoded_[i]);
  }
  if (!status) {
    last_write_ok_ = false;
    note_failure();
    spdlog::debug("modbus: write failed: {}", status.message());
    return status;
  }
  control_word_ = control_word;
  return {};
}

Status ModbusDriver::write(const AxisCommand& command) {
  if (!std::isfinite(command.target)) return {Errc::invalid_argument, "target is not finite"};
  if (command.goal != cia402::Goal::enabled) {
    walk_prepared_ = false;  // the next walk toward enabled arms again
  } else if (!walk_prepared_ && on_the_way_up(drive_)) {
    if (Status s = prepare_walk(); !s) {
      // Kept disabled; best effort, the link may be what failed.
      (void)write_frame(cia402::kShutdown, command.target);
      return s;
    }
  }
  return write_frame(cia402::next_control_word(drive_, command.goal, control_word_),
                     command.target);
}

}  // namespace traction
