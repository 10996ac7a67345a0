// SPDX-License-Identifier: Apache-2.0
// The Driver (drivers/driver.hpp) for real drives over Modbus TCP or RTU. Everything device-specific
// comes from the register map of the device file; this code walks it.
#pragma once

#include <cstdint>
#include <functional>
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
  // activate(): blocks for at most a few step timeouts (kStepTimeout per CiA 402 transition).
  Status activate() override;
  Status read(DeviceState& state) override;
  Status write(const AxisCommand& command) override;
  Status quick_stop() override;
  Status reset_fault() override;
  Status deactivate() override;

  // Requests sent since creation (benchmarks and tests count transactions per cycle).
  std::uint64_t transactions() const { return link_.transactions(); }

 private:
  struct Identity {
    std::optional<double> vendor_id, product_code, firmware_version;
  };

  Status read_image();
  void decode_into(DeviceState& state) const;
  Status write_frame(double target);
  void note_failure();
  Status read_fresh(DeviceState& state);
  Identity identity() const;
  Status arm_watchdog();
  // Writes max(limits.max_rate_up, max_rate_down) to velocity_limit when the map has it.
  void cap_drive_velocity();
  Status check_stop_switch(const DeviceState& state) const;
  Status step_to(std::uint16_t control_word, cia402::State expected, DeviceState& state);
  // Polls the status until `done` holds or kStepTimeout passes. During the walk (`walking`) a
  // fault or a stop switch pressed or unplugged ends the wait with Errc::refused.
  Status wait_until(DeviceState& state, const std::function<bool(cia402::State)>& done,
                    const std::string& goal, bool walking);
  Status refuse(Status why);

  DeviceFile device_;
  ModbusDriverOptions options_;
  ModbusLink link_;
  RegisterImage image_;
  Result<std::vector<WriteBlock>> writes_;
  bool configured_ = false;
  std::uint16_t control_word_;
  std::uint16_t heartbeat_ = 0;
  double last_target_ = 0.0;
  bool have_target_ = false;
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
