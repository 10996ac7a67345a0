// SPDX-License-Identifier: Apache-2.0
// One daemon control cycle's Modbus transactions in bare libmodbus, nothing else: one read per
// read block of the register map, one FC16 of the command block (a CiA 402 shutdown word, the
// heartbeat, zeros). The physical limit the driver and the daemon are measured against
// (driver_cycle_bench in process, bare_modbus_loop as a process beside the daemon). Header only and
// free of the project's libraries, so the bare loop links libmodbus alone.
#pragma once

#include <modbus/modbus.h>

#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "drivers/cia402.hpp"

namespace traction::bench {

// A block of registers read in one request.
struct BareRead {
  bool holding = true;  // FC3; false: input registers, FC4
  int address = 0;
  int count = 0;
};

// What one cycle sends.
struct CycleTransactions {
  std::vector<BareRead> reads;
  int write_address = 0;
  int write_count = 4;  // control word, heartbeat, target (two words)
};

// One cycle: every read, then the command write. False on the first failed transaction.
inline bool bare_cycle(modbus_t* ctx, const CycleTransactions& t, std::uint16_t& heartbeat) {
  std::uint16_t words[125];
  for (const BareRead& b : t.reads) {
    const int rc = b.holding ? modbus_read_registers(ctx, b.address, b.count, words)
                             : modbus_read_input_registers(ctx, b.address, b.count, words);
    if (rc != b.count) return false;
  }
  std::uint16_t command[123] = {cia402::kShutdown, ++heartbeat};
  return modbus_write_registers(ctx, t.write_address, t.write_count, command) == t.write_count;
}

// "holding:0:6" or "input:0:12" (pymodbus_poll.py's --read); nullopt when malformed.
inline std::optional<BareRead> parse_read(const std::string& spec) {
  std::istringstream in(spec);
  std::string table, address, count;
  if (!std::getline(in, table, ':') || !std::getline(in, address, ':') ||
      !std::getline(in, count) || (table != "holding" && table != "input")) {
    return std::nullopt;
  }
  try {
    const BareRead read{table == "holding", std::stoi(address), std::stoi(count)};
    if (read.address < 0 || read.count < 1 || read.count > 125) return std::nullopt;
    return read;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// The command-line arguments that describe `t` (pymodbus_poll.py and bare_modbus_loop take them).
inline std::vector<std::string> transaction_args(const CycleTransactions& t) {
  std::vector<std::string> args;
  for (const BareRead& b : t.reads) {
    args.push_back("--read");
    args.push_back(std::string(b.holding ? "holding" : "input") + ":" + std::to_string(b.address) +
                   ":" + std::to_string(b.count));
  }
  args.push_back("--write");
  args.push_back(std::to_string(t.write_address) + ":" + std::to_string(t.write_count));
  return args;
}

}  // namespace traction::bench
