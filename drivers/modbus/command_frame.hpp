// SPDX-License-Identifier: Apache-2.0
// What the driver writes every cycle — control word, heartbeat, target — grouped into the fewest
// write requests the map allows (signals contiguous in one table share one request). Pure: the
// grouping is computed once at configuration and encoding touches no I/O.
#pragma once

#include <cstdint>
#include <vector>

#include "core/result.hpp"
#include "drivers/register_map.hpp"

namespace traction {

// One cycle's command in engineering units.
struct CommandFrame {
  std::uint16_t control_word = 0;
  std::uint16_t heartbeat = 0;
  double target = 0.0;
};

// A run of written signals covered by one write request.
struct WriteBlock {
  Table table = Table::holding;
  int address = 0;
  int count = 0;
  std::vector<const SignalSpec*> signals;  // in address order; pointers into the RegisterMap
};

// Groups control_word, heartbeat (when the map has one) and target into write blocks.
// Errc::config when a written signal is a bit inside a register: writing it would need a
// read-modify-write of registers the driver does not own.
Result<std::vector<WriteBlock>> plan_command_writes(const RegisterMap& map);

// Encodes `frame` into the words of `block` (block.count entries; `words` is resized to that, so a
// buffer kept from one cycle to the next is never reallocated). A heartbeat held in a coil
// carries the counter's lowest bit, so it still toggles on every write. Errc::invalid_argument when
// the target does not fit the raw type.
Status encode_command(const WriteBlock& block, const CommandFrame& frame, Words& words);

}  // namespace traction
