// SPDX-License-Identifier: Apache-2.0
// Cycle-time work of the Modbus driver: reading the state, writing the command, counting failures.
// Activation and the CiA 402 walk are in modbus_activation.cpp.
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

}  // namespace

ModbusDriver::ModbusDriver(const DeviceFile& device, const DeviceUri& uri, ModbusDriverOptions options)
    : device_(device),
      options_(options),
      link_(uri, link_options(device, options)),
      image_(device_.registers),
      writes_(plan_command_writes(device_.registers)),
      // Until activation the drive is commanded disabled: a restart never resumes motion.
      control_word_(cia402::kShutdown) {}

Status ModbusDriver::configure() {
  if (!writes_.ok()) return {Errc::config, device_.source + ": " + writes_.status().message()};
  if (Status s = read_image(); !s) return s;
  const Identity id = identity();
  auto text = [](const std::optional<double>& v) { return v ? std::to_string(std::llround(*v)) : "n/a"; };
  spdlog::info("modbus: {} at {}: vendor_id {}, product_code {}, firmware {}", device_.name,
               to_string(link_.uri()), text(id.vendor_id), text(id.product_code), text(id.firmware_version));
  if (!have_target_) {
    last_target_ = image_.value("actual").value_or(0.0);
    have_target_ = true;
  }
  configured_ = true;
  return {};
}

Status ModbusDriver::read_image() {
  if (Status s = link_.ensure_open(Clock::now()); !s) return s;
  const auto& blocks = device_.registers.read_blocks();
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    // Fail fast: one failed block fails the cycle, and the next cycle starts afresh.
    if (Status s = link_.read(blocks[i], image_.block(i)); !s) return s;
  }
  reached_ = true;
  return {};
}

void ModbusDriver::decode_into(DeviceState& state) const {
  state.status_word = static_cast<std::uint16_t>(image_.value("status_word").value_or(0.0));
  state.drive = cia402::decode_status(state.status_word);
  state.actual = image_.value("actual").value_or(0.0);
  state.velocity = image_.value("actual_velocity");
  state.force_n = image_.value("actual_force");
  state.fault_code = static_cast<std::uint16_t>(image_.value("fault_code").value_or(0.0));
  state.stop_pressed = image_.flag("stop_switch");
  state.stop_connected = image_.flag("stop_switch_connected");
  state.end_stop_low = image_.flag("end_stop_low");
  state.end_stop_high = image_.flag("end_stop_high");
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
    state.stamp = Clock::now();
  } else {
    note_failure();
    spdlog::debug("modbus: read failed ({} consecutive): {}", failures_, status.message());
  }
  last_write_ok_ = true;
  state.fresh = status.ok();
  state.consecutive_failures = failures_;
  // A device never reached is not available, however few the failures so far.
  state.available = reached_ && failures_ < static_cast<std::uint32_t>(options_.max_consecutive_failures);
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

Status ModbusDriver::write_frame(double target) {
  if (!writes_.ok()) return {Errc::config, writes_.status().message()};
  CommandFrame frame{control_word_, ++heartbeat_, target};
  // Encode everything before sending anything: a target that does not fit is never half-written.
  std::vector<Words> encoded(writes_->size());
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    if (Status s = encode_command((*writes_)[i], frame, encoded[i]); !s) return s;
  }
  Status status = link_.ensure_open(Clock::now());
  for (std::size_t i = 0; status && i < encoded.size(); ++i) {
    status = link_.write((*writes_)[i].table, (*writes_)[i].address, encoded[i]);
  }
  if (!status) {
    last_write_ok_ = false;
    note_failure();
    spdlog::debug("modbus: write failed: {}", status.message());
    return status;
  }
  last_target_ = target;
  have_target_ = true;
  return {};
}

Status ModbusDriver::write(const AxisCommand& command) {
  if (!std::isfinite(command.target)) return {Errc::invalid_argument, "target is not finite"};
  return write_frame(command.target);
}

Status ModbusDriver::quick_stop() {
  control_word_ = cia402::kQuickStop;
  spdlog::warn("modbus: quick stop requested");
  return write_frame(last_target_);
}

Status ModbusDriver::deactivate() {
  control_word_ = cia402::kShutdown;
  return write_frame(last_target_);
}

}  // namespace traction
