// SPDX-License-Identifier: Apache-2.0
// The device's Modbus register image, laid out by the shared register map (config/devices/*.json):
// no address is written in code. Before each reply the image is refreshed from the device; after a
// write the written signals are decoded and applied to the device, in a fixed order (limits and
// target before the controlword, so a block write that sets a target and enables acts as one).
#pragma once

#include <modbus/modbus.h>

#include <cstdint>
#include <string>

#include "core/result.hpp"
#include "drivers/register_map.hpp"
#include "simulator/physics/sim_device.hpp"

namespace traction::sim {

class RegisterBank {
 public:
  explicit RegisterBank(const RegisterMap& map);
  ~RegisterBank();
  RegisterBank(const RegisterBank&) = delete;
  RegisterBank& operator=(const RegisterBank&) = delete;

  // The libmodbus mapping: exactly the addresses the map defines, per table; others are illegal.
  modbus_mapping_t* mapping() { return mapping_; }

  // Fills every register and bit from the device (what the master reads).
  void refresh(const SimDevice& device);

  // Applies the signals of `table` that overlap [address, address + count) to the device, decoded
  // from the image as it is after libmodbus stored the write.
  void apply_write(Table table, int address, int count, SimDevice& device);

  std::uint16_t heartbeat() const { return heartbeat_; }
  const RegisterMap& map() const { return map_; }

 private:
  std::uint16_t* words(Table table, int address);
  void store(const SignalSpec& spec, double value);
  double load(const SignalSpec& spec);

  RegisterMap map_;
  modbus_mapping_t* mapping_ = nullptr;
  int start_[4] = {0, 0, 0, 0};  // first address per Table
  int count_[4] = {0, 0, 0, 0};
  std::uint16_t heartbeat_ = 0;
};

}  // namespace traction::sim
