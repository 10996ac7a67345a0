// SPDX-License-Identifier: Apache-2.0
// Small pieces the benchmark programs share: percentiles, a process's CPU time and resident memory
// from /proc, and a daemon config written for a benchmark (control rate, connection cap).
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace traction::bench {

using BenchClock = std::chrono::steady_clock;

// The q-quantile (0..1) of `values`, nearest rank; NaN when empty.
inline double percentile(std::vector<double> values, double q) {
  if (values.empty()) return std::nan("");
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

// {p50, p99, max} of `values`, rounded to 3 decimals.
inline nlohmann::json summary(const std::vector<double>& values) {
  auto r = [](double x) {
    return std::isnan(x) ? nlohmann::json(nullptr) : nlohmann::json(std::round(x * 1000) / 1000);
  };
  return {{"p50", r(percentile(values, 0.5))},
          {"p99", r(percentile(values, 0.99))},
          {"max", r(percentile(values, 1.0))},
          {"n", values.size()}};
}

// `j[key]` when `j` is an object holding a number there, else `fallback` (a part that failed
// holds {"error": ...} and summaries of nothing hold nulls).
inline double number_or(const nlohmann::json& j, const char* key, double fallback) {
  if (!j.is_object()) return fallback;
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}
inline const nlohmann::json& object_at(const nlohmann::json& j, const char* key) {
  static const nlohmann::json empty = nlohmann::json::object();
  if (!j.is_object()) return empty;
  const auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : empty;
}

// User + system CPU seconds a /proc stat file reports (fields 14 and 15).
inline double stat_cpu_seconds(const std::string& stat_file) {
  std::ifstream in(stat_file);
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return std::nan("");
  std::istringstream rest(stat.substr(close + 2));
  std::string field;
  double ticks = 0.0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i >= 14) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// User + system CPU seconds the process has used so far.
inline double cpu_seconds(pid_t pid) {
  return stat_cpu_seconds("/proc/" + std::to_string(pid) + "/stat");
}

// The same for each of its threads, by thread id.
inline std::map<long, double> thread_cpu_seconds(pid_t pid) {
  std::map<long, double> out;
  std::error_code ec;
  const std::string dir = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string tid = entry.path().filename().string();
    out[std::atol(tid.c_str())] = stat_cpu_seconds(entry.path().string() + "/stat");
  }
  return out;
}

// A /proc/PID/status field in KiB (VmRSS, VmHWM); NaN when absent.
inline double status_kib(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stod(line.substr(field.size() + 1));
  }
  return std::nan("");
}

// What a benchmark's daemon runs with.
struct BenchConfig {
  std::string kind = "inversion";
  double rate_hz = 100.0;
  int realtime_priority = 0;  // control.realtime_priority: 0 normal scheduling, 1..99 SCHED_FIFO
  int max_connections = 64;   // room for the benchmark's clients
  std::string device_file;    // empty: config/devices/sim-<kind>.json
};

// Writes the daemon config for `c` into `file`. Paths are absolute.
inline std::string write_bench_config(const std::string& file, const BenchConfig& c) {
  const std::string root = TRACTION_SOURCE_DIR;
  const std::string device =
      c.device_file.empty() ? root + "/config/devices/sim-" + c.kind + ".json" : c.device_file;
  const nlohmann::json config = {
      {"device", {{"file", device}, {"uri", "tcp://127.0.0.1:1502?unit=1"}}},
      {"control", {{"rate_hz", c.rate_hz}, {"realtime_priority", c.realtime_priority}}},
      {"programs", {{"dirs", {root + "/config/programs"}}}},
      {"server", {{"max_connections", c.max_connections}}}};
  std::ofstream(file) << config.dump(2) << "\n";
  return file;
}

}  // namespace traction::bench
