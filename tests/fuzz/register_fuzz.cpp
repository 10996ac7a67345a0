// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for register decoding. The first bytes choose a signal's type, word order,
// scale, offset and bit; the rest are the words read from a device. Invariants: decoding never
// crashes, integer types always give a finite value, a flag gives 0 or 1, and an unscaled integer
// re-encodes to the very words it came from. The same words also fill a RegisterImage of each
// simulator map, as one control cycle would, and every signal is decoded from it.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "drivers/device_file.hpp"
#include "drivers/register_map.hpp"

namespace {

using namespace traction;

RegisterMap sim_map(const char* kind) {
  auto device =
      load_device_file(std::string(TRACTION_SOURCE_DIR) + "/config/devices/sim-" + kind + ".json");
  if (!device) std::abort();
  return device->registers;
}

constexpr Signal kFlags[] = {Signal::stop_switch, Signal::stop_switch_connected,
                             Signal::end_stop_low, Signal::end_stop_high};

void decode_one(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t kHeader = 5;
  if (size < kHeader + 4) return;
  SignalSpec spec;
  spec.name = "fuzz";
  spec.table = Table::input;
  spec.type = static_cast<ValueType>(1 + data[0] % 5);  // u16 .. f32
  spec.word_order = (data[1] & 1) != 0 ? WordOrder::low_first : WordOrder::high_first;
  const bool raw = (data[1] & 2) != 0;
  if (!raw) {
    spec.scale = std::pow(10.0, static_cast<int>(data[2] % 7) - 3);
    spec.offset = static_cast<std::int8_t>(data[3]);
  }
  if ((data[4] & 0x10) != 0 && spec.type == ValueType::u16) spec.bit = data[4] & 0x0F;
  const std::uint16_t words[2] = {static_cast<std::uint16_t>(data[5] << 8 | data[6]),
                                  static_cast<std::uint16_t>(data[7] << 8 | data[8])};
  const double value = decode_value(spec, words);
  if (spec.type != ValueType::f32 && !std::isfinite(value)) std::abort();
  if (spec.bit && value != 0.0 && value != 1.0) std::abort();
  if (raw && !spec.bit && spec.type != ValueType::f32) {
    std::uint16_t back[2] = {0, 0};
    if (!encode_value(spec, value, back).ok()) std::abort();
    if (back[0] != words[0] || (spec.width() == 2 && back[1] != words[1])) std::abort();
  }
}

void decode_image(const RegisterMap& map, const std::vector<ReadBlock>& blocks,
                  const std::uint8_t* data, std::size_t size) {
  RegisterImage image(map, blocks);
  std::size_t at = 0;
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    Words& words = image.block(b);
    for (std::uint16_t& w : words) {
      w = at + 1 < size ? static_cast<std::uint16_t>(data[at] << 8 | data[at + 1]) : 0;
      at += 2;
    }
  }
  for (const SignalName& n : kSignalNames) {
    if (const auto v = image.value(n.signal); v && !std::isfinite(*v)) std::abort();
  }
  for (const Signal flag : kFlags) image.flag(flag);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const RegisterMap maps[] = {sim_map("inversion"), sim_map("traction")};
  decode_one(data, size);
  for (const RegisterMap& map : maps) {
    decode_image(map, map.read_blocks(), data, size);
    decode_image(map, map.cycle_blocks(), data, size);  // what a control cycle reads
  }
  return 0;
}
