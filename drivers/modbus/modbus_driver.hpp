// SPDX-License-Identifier: Apache-2.0
// The Driver (drivers/driver.hpp) for real drives over Modbus TCP or RTU. Everything
// device-specific comes from the register map of the device file; this code walks it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drivers/device_file.hpp"
#include "drivers/driver.hpp"
#include "drivers/modbus/command_frame.hpp"
#include "drivers/modbus/device_uri.hpp"
#include "drivers/modbus/modbus_link.hpp"

namespace traction {

struct ModbusDriverOptions {
  int max_consecutive_failures = 5;  // failed cycles before DeviceState::available turns false
  int backoff_initial_ms = 100;      // first reconnect delay after a link loss
  int backoff_max_ms = 2000;         // cap of the doubling reconnect delay
  int rtu_fd = -1;                   // tests: an already-open pty fd via modbus_set_socket
};

// Creates the driver; no I/O happens before configure().
std::unique_ptr<Driver> make_modbus_driver(const DeviceFile& device, const DeviceUri& uri,
                                           ModbusDriverOptions options = {});

class ModbusDriver final : public Driver {
 public:
  ModbusDriver(const DeviceFile& device, const DeviceUri& uri, ModbusDriverOptions options);
  ModbusDriver(const ModbusDriver&) = delete;
  ModbusDriver& operator=(const ModbusDriver&) = delete;

  // Driver contract (drivers/driver.hpp); the notes below say what this implementation adds.
  // configure(): Errc::config when the map's written signals cannot be written as whole registers.
  Status configure() override;
  const DeviceIdentity& identity() const override { return identity_; }
  // read() and write() allocate nothing in a steady state: the register image, the encoded
  // command words and the link's buffers are sized once, and error texts are built on failure only.
  Status read(DeviceState& state) override;
  Status write(const AxisCommand& command) override;

  // Requests sent since creation (benchmarks and tests count transactions per cycle).
  std::uint64_t transactions() const { return link_.transactions(); }
  // The controlword the last successful write sent.
  std::uint16_t control_word() const { return control_word_; }

 private:
  Status read_image();
  Status read_identity();
  void decode_into(DeviceState& state) const;
  // Follows the drive's state from each fresh reading (the walk's next step depends on it).
  void note_drive(cia402::State drive);
  Status write_frame(std::uint16_t control_word, double target);
  void note_failure();
  // Before a walk toward enabled leaves the bottom of the state machine: arms the watchdog, caps
  // the drive velocity (modbus_walk.cpp).
  Status prepare_walk();
  Status arm_watchdog();
  // Writes max(limits.max_rate_up, max_rate_down) to velocity_limit when the map has it.
  void cap_drive_velocity();

  DeviceFile device_;
  ModbusDriverOptions options_;
  ModbusLink link_;
  RegisterImage image_;  // the cycle's read blocks
  Result<std::vector<WriteBlock>> writes_;
  std::vector<Words> encoded_;  // one per write block, sized once
  DeviceIdentity identity_;
  cia402::State drive_ = cia402::State::not_ready_to_switch_on;  // from the last fresh reading
  // The last controlword sent. Until a goal says otherwise the drive is commanded disabled: a
  // restart never resumes motion.
  std::uint16_t control_word_ = cia402::kShutdown;
  std::uint16_t heartbeat_ = 0;
  bool walk_prepared_ = false;  // this walk toward enabled has armed the watchdog
  // Failure accounting per control cycle: read() opens a cycle; a cycle with a failed read or
  // write counts once; only a cycle whose read and previous write both succeeded resets the count.
  std::uint64_t cycle_ = 0;
  std::uint64_t counted_cycle_ = 0;
  std::uint32_t failures_ = 0;
  bool last_write_ok_ = true;
  bool was_available_ = false;
  bool reached_ = false;  // one full read has succeeded since creation: the device exists
};

}  // namespace traction
