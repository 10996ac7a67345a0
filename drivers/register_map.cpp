// SPDX-License-Identifier: Apache-2.0
#include "drivers/register_map.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "core/text_match.hpp"

namespace traction {
namespace {

constexpr int kMaxRegistersPerRead = 125;  // Modbus limit for function 03/04
constexpr int kMaxBitsPerRead = 2000;      // Modbus limit for function 01/02

bool is_bit_table(Table t) {
  return t == Table::coil || t == Table::discrete_input;
}

Table parse_table(ObjectReader& r) {
  const std::string t = r.choice("table", {"coil", "discrete_input", "holding", "input"});
  if (t == "coil") return Table::coil;
  if (t == "discrete_input") return Table::discrete_input;
  if (t == "holding") return Table::holding;
  return Table::input;
}

ValueType parse_type(ObjectReader& r, Table table) {
  if (is_bit_table(table)) {
    r.choice_or("type", "bool", {"bool"});
    return ValueType::boolean;
  }
  const std::string t = r.choice_or("type", "u16", {"u16", "i16", "u32", "i32", "f32", "bool"});
  if (t == "bool")
    r.fail("type", "type \"bool\" is only for coil and discrete_input tables; use \"bit\"");
  if (t == "i16") return ValueType::i16;
  if (t == "u32") return ValueType::u32;
  if (t == "i32") return ValueType::i32;
  if (t == "f32") return ValueType::f32;
  return ValueType::u16;
}

std::vector<std::string> all_signal_names() {
  std::vector<std::string> names;
  for (const SignalName& n : kSignalNames) names.emplace_back(n.name);
  return names;
}

constexpr bool names_follow_the_signal_order() {
  for (std::size_t i = 0; i < std::size(kSignalNames); ++i) {
    if (static_cast<std::size_t>(kSignalNames[i].signal) != i) return false;
  }
  return std::size(kSignalNames) == kSignalCount;
}
static_assert(names_follow_the_signal_order(), "one kSignalNames entry per Signal, in its order");

std::uint32_t join_words(const SignalSpec& spec, const std::uint16_t* w) {
  const std::uint32_t first = w[0];
  const std::uint32_t second = w[1];
  return spec.word_order == WordOrder::high_first ? (first << 16) | second : (second << 16) | first;
}

void split_words(const SignalSpec& spec, std::uint32_t raw, std::uint16_t* w) {
  const auto high = static_cast<std::uint16_t>(raw >> 16);
  const auto low = static_cast<std::uint16_t>(raw & 0xFFFF);
  if (spec.word_order == WordOrder::high_first) {
    w[0] = high;
    w[1] = low;
  } else {
    w[0] = low;
    w[1] = high;
  }
}

}  // namespace

const char* to_string(Table table) {
  switch (table) {
    case Table::coil:
      return "coil";
    case Table::discrete_input:
      return "discrete_input";
    case Table::holding:
      return "holding";
    case Table::input:
      return "input";
  }
  return "?";
}

const char* to_string(ValueType type) {
  switch (type) {
    case ValueType::boolean:
      return "bool";
    case ValueType::u16:
      return "u16";
    case ValueType::i16:
      return "i16";
    case ValueType::u32:
      return "u32";
    case ValueType::i32:
      return "i32";
    case ValueType::f32:
      return "f32";
  }
  return "?";
}

const char* to_string(Signal signal) {
  return kSignalNames[static_cast<std::size_t>(signal)].name;
}

std::optional<Signal> signal_named(const std::string& name) {
  for (const SignalName& n : kSignalNames) {
    if (name == n.name) return n.signal;
  }
  return std::nullopt;
}

int SignalSpec::width() const {
  return (type == ValueType::u32 || type == ValueType::i32 || type == ValueType::f32) ? 2 : 1;
}

RegisterMap RegisterMap::parse(ObjectReader& registers) {
  RegisterMap map;
  for (const std::string& name : registers.keys()) {
    const std::optional<Signal> signal = signal_named(name);
    if (!signal) {
      std::string hint = closest_match(name, all_signal_names());
      registers.fail(name, "unknown signal \"" + name + "\"" +
                               (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
    }
    ObjectReader r = registers.object(name);
    SignalSpec spec;
    spec.name = name;
    spec.signal = *signal;
    spec.table = parse_table(r);
    spec.address = static_cast<int>(r.integer("address", 0, 65535));
    spec.type = parse_type(r, spec.table);
    spec.word_order =
        r.choice_or("word_order", "high_first", {"high_first", "low_first"}) == "low_first"
            ? WordOrder::low_first
            : WordOrder::high_first;
    spec.scale = r.number_or("scale", 1.0, -1e9, 1e9);
    if (spec.scale == 0.0) r.fail("scale", "value 0 is not allowed (a scale must be non-zero)");
    spec.offset = r.number_or("offset", 0.0, -1e9, 1e9);
    if (r.has("bit")) {
      if (is_bit_table(spec.table))
        r.fail("bit", "a bit index is only for holding and input registers");
      if (spec.type != ValueType::u16) r.fail("bit", "a bit index needs type \"u16\"");
      spec.bit = static_cast<int>(r.integer("bit", 0, 15));
    }
    spec.unit = r.string_or("unit", "");
    if (spec.address + spec.width() - 1 > 65535)
      r.fail("address", "the signal runs past address 65535");
    r.finish();
    map.signals_.emplace(name, spec);
  }
  for (const SignalName& n : kSignalNames) {
    if (n.required && map.signals_.count(n.name) == 0) {
      registers.fail(n.name, "required signal is missing from the register map");
    }
  }
  registers.finish();  // a "$comment" must be a string
  map.index();
  try {
    map.validate();
  } catch (const std::invalid_argument& e) {
    throw ConfigError(registers.source() + ": at " + registers.path() + ": " + e.what());
  }
  map.group_reads();
  return map;
}

RegisterMap::RegisterMap(const RegisterMap& other)
    : signals_(other.signals_),
      read_blocks_(other.read_blocks_),
      cycle_blocks_(other.cycle_blocks_),
      identity_blocks_(other.identity_blocks_) {
  index();
}

RegisterMap& RegisterMap::operator=(const RegisterMap& other) {
  if (this == &other) return *this;
  signals_ = other.signals_;
  read_blocks_ = other.read_blocks_;
  cycle_blocks_ = other.cycle_blocks_;
  identity_blocks_ = other.identity_blocks_;
  index();
  return *this;
}

void RegisterMap::index() {
  by_signal_.fill(nullptr);
  for (const auto& [name, spec] : signals_)
    by_signal_[static_cast<std::size_t>(spec.signal)] = &spec;
}

void RegisterMap::validate() const {
  auto must_write = [&](const char* name) {
    const SignalSpec* s = find(name);
    if (s != nullptr && !s->writable()) {
      throw std::invalid_argument(
          std::string("signal \"") + name +
          "\" is written by the driver, so it must be in a holding or coil table");
    }
  };
  for (const char* name :
       {"control_word", "target", "watchdog_timeout", "heartbeat", "velocity_limit"}) {
    must_write(name);
  }
  if (find("control_word")->is_flag() || find("status_word")->is_flag()) {
    throw std::invalid_argument("control_word and status_word must be whole 16-bit registers");
  }
  // Overlap check: two signals may share a register only when both are flags on distinct bits.
  std::vector<const SignalSpec*> list;
  for (const auto& [name, spec] : signals_) list.push_back(&spec);
  for (std::size_t i = 0; i < list.size(); ++i) {
    for (std::size_t j = i + 1; j < list.size(); ++j) {
      const SignalSpec& a = *list[i];
      const SignalSpec& b = *list[j];
      if (a.table != b.table) continue;
      const bool disjoint =
          a.address + a.width() <= b.address || b.address + b.width() <= a.address;
      if (disjoint) continue;
      if (a.bit && b.bit && a.address == b.address && *a.bit != *b.bit) continue;
      throw std::invalid_argument("signals \"" + a.name + "\" and \"" + b.name +
                                  "\" overlap in the " + to_string(a.table) + " table at address " +
                                  std::to_string(std::max(a.address, b.address)));
    }
  }
}

void RegisterMap::group_reads() {
  // Every signal is readable (holding registers are read back too), sorted by table and address.
  std::vector<const SignalSpec*> list;
  for (const auto& [name, spec] : signals_) list.push_back(&spec);
  std::sort(list.begin(), list.end(), [](const SignalSpec* a, const SignalSpec* b) {
    return std::tie(a->table, a->address) < std::tie(b->table, b->address);
  });
  read_blocks_.clear();
  for (const SignalSpec* s : list) {
    const int limit = is_bit_table(s->table) ? kMaxBitsPerRead : kMaxRegistersPerRead;
    const int end = s->address + s->width();
    if (!read_blocks_.empty()) {
      ReadBlock& last = read_blocks_.back();
      const bool same_table = last.table == s->table;
      const bool contiguous = s->address <= last.address + last.count;
      if (same_table && contiguous && end - last.address <= limit) {
        last.count = std::max(last.count, end - last.address);
        continue;
      }
    }
    read_blocks_.push_back(ReadBlock{s->table, s->address, s->width()});
  }
  cycle_blocks_ = blocks_for(kCycleSignals);
  identity_blocks_ = blocks_for(kIdentitySignals);
}

std::vector<ReadBlock> RegisterMap::blocks_for(const Signal* wanted, std::size_t count) const {
  std::vector<ReadBlock> out;
  for (const ReadBlock& b : read_blocks_) {
    int first = b.address + b.count;
    int end = b.address;
    for (std::size_t i = 0; i < count; ++i) {
      const SignalSpec* s = find(wanted[i]);
      if (s == nullptr || s->table != b.table || s->address < b.address ||
          s->address + s->width() > b.address + b.count) {
        continue;
      }
      first = std::min(first, s->address);
      end = std::max(end, s->address + s->width());
    }
    if (first < end) out.push_back(ReadBlock{b.table, first, end - first});
  }
  return out;
}

const SignalSpec* RegisterMap::find(const std::string& name) const {
  auto it = signals_.find(name);
  return it == signals_.end() ? nullptr : &it->second;
}

const SignalSpec& RegisterMap::at(const std::string& name) const {
  return signals_.at(name);
}

double decode_value(const SignalSpec& spec, const std::uint16_t* words) {
  double raw = 0.0;
  switch (spec.type) {
    case ValueType::boolean:
      raw = words[0] != 0 ? 1.0 : 0.0;
      break;
    case ValueType::u16:
      raw = spec.bit ? ((words[0] >> *spec.bit) & 1U) : words[0];
      if (spec.bit) return raw;  // flags are not scaled
      break;
    case ValueType::i16:
      raw = static_cast<std::int16_t>(words[0]);
      break;
    case ValueType::u32:
      raw = join_words(spec, words);
      break;
    case ValueType::i32:
      raw = static_cast<std::int32_t>(join_words(spec, words));
      break;
    case ValueType::f32: {
      const std::uint32_t bits = join_words(spec, words);
      float f = 0.0F;
      std::memcpy(&f, &bits, sizeof f);
      raw = f;
      break;
    }
  }
  if (spec.type == ValueType::boolean) return raw;
  return raw * spec.scale + spec.offset;
}

Status encode_value(const SignalSpec& spec, double value, std::uint16_t* words) {
  if (!std::isfinite(value)) {
    return {Errc::invalid_argument, spec.name + ": cannot encode a non-finite value"};
  }
  if (spec.is_flag()) {
    const bool on = value != 0.0;
    if (spec.type == ValueType::boolean) {
      words[0] = on ? 1 : 0;
    } else {
      const auto mask = static_cast<std::uint16_t>(1U << *spec.bit);
      words[0] = on ? static_cast<std::uint16_t>(words[0] | mask)
                    : static_cast<std::uint16_t>(words[0] & ~mask);
    }
    return {};
  }
  const double raw = (value - spec.offset) / spec.scale;
  auto out_of_range = [&](double lo, double hi) {
    return Status(Errc::invalid_argument, spec.name + ": value " + std::to_string(value) +
                                              " gives raw " + std::to_string(raw) +
                                              ", outside the " + to_string(spec.type) + " range [" +
                                              std::to_string(lo) + ", " + std::to_string(hi) + "]");
  };
  switch (spec.type) {
    case ValueType::u16: {
      const double r = std::round(raw);
      if (r < 0 || r > 65535) return out_of_range(0, 65535);
      words[0] = static_cast<std::uint16_t>(r);
      return {};
    }
    case ValueType::i16: {
      const double r = std::round(raw);
      if (r < -32768 || r > 32767) return out_of_range(-32768, 32767);
      words[0] = static_cast<std::uint16_t>(static_cast<std::int16_t>(r));
      return {};
    }
    case ValueType::u32: {
      const double r = std::round(raw);
      if (r < 0 || r > 4294967295.0) return out_of_range(0, 4294967295.0);
      split_words(spec, static_cast<std::uint32_t>(r), words);
      return {};
    }
    case ValueType::i32: {
      const double r = std::round(raw);
      if (r < -2147483648.0 || r > 2147483647.0) return out_of_range(-2147483648.0, 2147483647.0);
      split_words(spec, static_cast<std::uint32_t>(static_cast<std::int32_t>(r)), words);
      return {};
    }
    case ValueType::f32: {
      const auto f = static_cast<float>(raw);
      if (!std::isfinite(f))
        return out_of_range(-std::numeric_limits<float>::max(), std::numeric_limits<float>::max());
      std::uint32_t bits = 0;
      std::memcpy(&bits, &f, sizeof bits);
      split_words(spec, bits, words);
      return {};
    }
    case ValueType::boolean:
      break;
  }
  return {Errc::internal, "unreachable"};
}

RegisterImage::RegisterImage(const RegisterMap& map, std::vector<ReadBlock> blocks)
    : blocks_(std::move(blocks)) {
  for (const ReadBlock& b : blocks_) words_.emplace_back(static_cast<std::size_t>(b.count), 0);
  for (const auto& [name, spec] : map.signals()) {
    for (std::size_t i = 0; i < blocks_.size(); ++i) {
      const ReadBlock& b = blocks_[i];
      if (b.table == spec.table && spec.address >= b.address &&
          spec.address + spec.width() <= b.address + b.count) {
        slots_[static_cast<std::size_t>(spec.signal)] =
            Slot{&spec, i, static_cast<std::size_t>(spec.address - b.address)};
        break;
      }
    }
  }
}

std::optional<double> RegisterImage::value(Signal signal) const {
  const Slot& slot = slots_[static_cast<std::size_t>(signal)];
  if (slot.spec == nullptr) return std::nullopt;
  return decode_value(*slot.spec, &words_[slot.block][slot.offset]);
}

}  // namespace traction
