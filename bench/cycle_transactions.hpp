// SPDX-License-Identifier: Apache-2.0
// The transactions of one daemon control cycle for a device file's register map, as the driver
// sends them: one read per cycle block (RegisterMap::cycle_blocks(), identity excluded: it is
// read once at configuration), then the command block (plan_command_writes()).
#pragma once

#include <optional>
#include <string>

#include "bench/bare_cycle.hpp"
#include "drivers/device_file.hpp"
#include "drivers/modbus/command_frame.hpp"

namespace traction::bench {

// The cycle's transactions for `map`; nullopt when the map has no command block to write.
inline std::optional<CycleTransactions> cycle_transactions(const RegisterMap& map) {
  CycleTransactions t;
  for (const ReadBlock& b : map.cycle_blocks())
    t.reads.push_back({b.table == Table::holding, b.address, b.count});
  auto writes = plan_command_writes(map);
  if (!writes.ok() || writes->empty()) return std::nullopt;
  t.write_address = writes->front().address;
  t.write_count = writes->front().count;
  return t;
}

// The same for the simulator's device file of `kind` ("inversion", "traction").
inline std::optional<CycleTransactions> sim_cycle_transactions(const std::string& kind) {
  auto device =
      load_device_file(std::string(TRACTION_SOURCE_DIR) + "/config/devices/sim-" + kind + ".json");
  if (!device.ok()) return std::nullopt;
  return cycle_transactions(device->registers);
}

}  // namespace traction::bench
