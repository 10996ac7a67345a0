// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for traction-sim's request handling path (TRACTION_FUZZ=ON, clang only).
//   build-fuzz/simulator/sim_request_fuzz tests/fuzz/corpus/sim -max_len=512
#include <cstddef>
#include <cstdint>

#include "simulator/modbus/replay.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  traction::sim::replay_request_bytes(data, size);
  return 0;
}
