// SPDX-License-Identifier: Apache-2.0
// The ground-truth trace (--trace FILE.csv), one row per sample at a fixed simulated rate:
//   t,target,actual,velocity,force_n,drive,stop_pressed,stop_connected,fault_code,control_word,
//   status_word,brake
// `actual` and `force_n` are ground truth, not what the master was shown; `control_word` is the
// last one the master wrote, `status_word` what the drive reports, `brake` 1 while it holds.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "simulator/physics/sim_device.hpp"

namespace traction::sim {

class TraceWriter {
 public:
  static constexpr double kPeriod_s = 0.01;  // 100 Hz

  // Creates (truncates) the file and writes the header. Errc::link when it cannot be opened.
  static Result<std::unique_ptr<TraceWriter>> open(const std::string& path);
  ~TraceWriter();
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;

  void write_row(const SimDevice& device);
  // Makes rows visible to readers of the file (called about every 100 ms and at stop).
  void flush();

 private:
  explicit TraceWriter(std::FILE* file) : file_(file) {}
  std::FILE* file_;
};

}  // namespace traction::sim
