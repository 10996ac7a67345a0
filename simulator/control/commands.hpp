// SPDX-License-Identifier: Apache-2.0
// The fault-injection and inspection commands, in one table: name, parameters
// with their bounds, and what each does. The control socket, the in-process API and the scenario
// player all go through here, so a command means the same thing wherever it comes from.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/config_reader.hpp"
#include "simulator/modbus/comm_faults.hpp"
#include "simulator/physics/sim_device.hpp"

namespace traction::sim {

// A parsed, validated command.
struct Command {
  std::string name;
  std::map<std::string, double> args;  // every numeric parameter (flags as 0/1), defaults filled in
  std::map<std::string, std::string> words;  // every choice parameter ("mode": "hold")
};

// What commands act on. The caller holds the device's lock.
struct CommandTarget {
  SimDevice& device;
  CommFaults& comm;
  std::uint64_t requests_served = 0;
};

// Reads {"command": NAME, ...parameters}; throws ConfigError naming the key and the rule (unknown
// commands and unknown keys come with a "did you mean"). Calls reader.finish().
Command parse_command(ObjectReader& reader);

// Runs a command: {"ok":true, ...} (state adds its fields).
nlohmann::json execute_command(const Command& command, CommandTarget& target);

// One control-socket line already parsed as JSON: parse + execute, errors as
// {"ok":false,"error":...}.
nlohmann::json run_command_json(const nlohmann::json& line, CommandTarget& target);

// The `state` reply: ground truth and drive state.
nlohmann::json state_json(const SimDevice& device, const CommFaults& comm,
                          std::uint64_t requests_served);

// Names of every command, for help and docs.
std::vector<std::string> command_names();

}  // namespace traction::sim
