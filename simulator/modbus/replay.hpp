// SPDX-License-Identifier: Apache-2.0
// Feeds raw bytes, as they would arrive on the wire, through the whole request handling path
// (libmodbus framing, fault injection, register image, drive) of a fresh device. The libFuzzer
// target and the corpus replay test both call this, so the fuzzed path is the served path.
#pragma once

#include <cstddef>
#include <cstdint>

namespace traction::sim {

// data[0] picks the set-up: bit 0 = RTU (else TCP), bit 1 = traction bench (else table), bit 2 =
// one injected exception, bit 3 = one corrupted CRC. The rest is the byte stream. Returns the
// number of requests answered. Never throws; a crash or sanitizer report is the bug.
int replay_request_bytes(const std::uint8_t* data, std::size_t size);

}  // namespace traction::sim
