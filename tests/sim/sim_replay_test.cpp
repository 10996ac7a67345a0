// SPDX-License-Identifier: Apache-2.0
// The fuzz corpus replayed through the request handling path in every build (the libFuzzer
// target runs the same function, with clang, when TRACTION_FUZZ=ON).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "simulator/modbus/replay.hpp"

namespace traction::sim {
namespace {

namespace fs = std::filesystem;

std::vector<std::uint8_t> bytes_of(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const fs::path kCorpus = fs::path(TRACTION_SOURCE_DIR) / "tests/fuzz/corpus/sim";

TEST(SimReplay, every_corpus_input_is_handled_without_crashing) {
  int files = 0;
  for (const auto& entry : fs::directory_iterator(kCorpus)) {
    const std::vector<std::uint8_t> data = bytes_of(entry.path());
    replay_request_bytes(data.data(), data.size());
    ++files;
  }
  EXPECT_GE(files, 10);
}

TEST(SimReplay, a_cia402_walk_over_tcp_is_answered_three_times) {
  const std::vector<std::uint8_t> data = bytes_of(kCorpus / "tcp_enable_walk");
  EXPECT_EQ(replay_request_bytes(data.data(), data.size()), 3);
}

TEST(SimReplay, a_frame_for_another_rtu_unit_is_not_answered) {
  // libmodbus then also skips the next frame, taking it for the other unit's reply.
  const std::vector<std::uint8_t> data = bytes_of(kCorpus / "rtu_other_unit_then_ours");
  EXPECT_EQ(replay_request_bytes(data.data(), data.size()), 0);
}

TEST(SimReplay, every_truncation_of_a_frame_is_unanswered_and_the_whole_frame_answered) {
  const std::vector<std::uint8_t> data = bytes_of(kCorpus / "tcp_write_target_block");
  for (std::size_t cut = 0; cut < data.size(); ++cut)
    EXPECT_EQ(replay_request_bytes(data.data(), cut), 0) << cut;
  EXPECT_EQ(replay_request_bytes(data.data(), data.size()), 1);
}

TEST(SimReplay, random_streams_get_at_most_one_answer_per_minimal_frame) {
  std::uint32_t x = 12345;
  for (int round = 0; round < 200; ++round) {
    std::vector<std::uint8_t> noise(1 + round % 64);
    for (auto& b : noise) b = static_cast<std::uint8_t>((x = x * 1103515245U + 12345U) >> 16);
    // The shortest frame is 4 bytes (RTU: unit, function, CRC).
    EXPECT_LE(replay_request_bytes(noise.data(), noise.size()), static_cast<int>(noise.size() / 4));
  }
}

}  // namespace
}  // namespace traction::sim
