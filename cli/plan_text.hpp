// SPDX-License-Identifier: Apache-2.0
// `tractionctl show NAME` for people: the program (description, guidance, source), its plan as a
// table of phases (kind, target with unit, rate, seconds, repetition), the total time, and the
// effective limits that bind it, each beside what the plan uses of it and who set it. A pure
// function of program.get's result (docs/protocol.md), unit-tested without a daemon.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace traction::client {

// The plan's phases as a table with its total: "  #  kind  target  rate  seconds  rep" lines.
std::string phases_text(const nlohmann::json& plan);

// The limits the plan is checked against: what the plan uses, the limit and who set it.
std::string binding_limits_text(const nlohmann::json& plan);

// All of it, for program.get's result.
std::string program_text(const nlohmann::json& program);

}  // namespace traction::client
