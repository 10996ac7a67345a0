// SPDX-License-Identifier: Apache-2.0
#include "drivers/modbus/command_frame.hpp"

#include <algorithm>
#include <tuple>

namespace traction {

Result<std::vector<WriteBlock>> plan_command_writes(const RegisterMap& map) {
  std::vector<const SignalSpec*> written;
  for (const Signal signal : {Signal::control_word, Signal::heartbeat, Signal::target}) {
    const SignalSpec* spec = map.find(signal);
    if (spec == nullptr) continue;
    const char* name = to_string(signal);
    if (spec->bit) {
      return Result<std::vector<WriteBlock>>(
          Errc::config,
          std::string("signal \"") + name +
              "\" is a bit inside a register; the driver writes whole registers or coils only");
    }
    if (!spec->writable()) {
      return Result<std::vector<WriteBlock>>(
          Errc::config, std::string("signal \"") + name + "\" is in a read-only table");
    }
    written.push_back(spec);
  }
  std::sort(written.begin(), written.end(), [](const SignalSpec* a, const SignalSpec* b) {
    return std::tie(a->table, a->address) < std::tie(b->table, b->address);
  });
  std::vector<WriteBlock> blocks;
  for (const SignalSpec* spec : written) {
    if (!blocks.empty()) {
      WriteBlock& last = blocks.back();
      if (last.table == spec->table && last.address + last.count == spec->address) {
        last.count += spec->width();
        last.signals.push_back(spec);
        continue;
      }
    }
    blocks.push_back(WriteBlock{spec->table, spec->address, spec->width(), {spec}});
  }
  return blocks;
}

Status encode_command(const WriteBlock& block, const CommandFrame& frame, Words& words) {
  // Sized once: after the first cycle this neither allocates nor frees.
  words.resize(static_cast<std::size_t>(block.count));
  std::fill(words.begin(), words.end(), std::uint16_t{0});
  for (const SignalSpec* spec : block.signals) {
    const bool heartbeat = spec->signal == Signal::heartbeat;
    double value = 0.0;
    if (spec->signal == Signal::control_word) {
      value = frame.control_word;
    } else if (heartbeat) {
      value = spec->is_flag() ? (frame.heartbeat & 1U) : frame.heartbeat;
    } else {
      value = frame.target;
    }
    std::uint16_t* at = &words[static_cast<std::size_t>(spec->address - block.address)];
    if (heartbeat && !spec->is_flag()) {
      // A counter wraps by design; encode the raw word so a scale or offset cannot make it
      // overflow.
      at[0] = frame.heartbeat;
      if (spec->width() == 2) {
        at[1] = 0;
        if (spec->word_order == WordOrder::high_first) std::swap(at[0], at[1]);
      }
      continue;
    }
    if (Status s = encode_value(*spec, value, at); !s) return s;
  }
  return {};
}

}  // namespace traction
