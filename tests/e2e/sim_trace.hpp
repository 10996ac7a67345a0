// SPDX-License-Identifier: Apache-2.0
// The simulator's trace CSV (docs/simulator.md "Trace") as columns, for end-to-end assertions on
// ground truth.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/process_harness.hpp"

namespace traction::e2e {

using TraceColumns = std::map<std::string, std::vector<double>>;

// The trace rows as columns by name.
inline TraceColumns read_trace(const std::string& file) {
  TraceColumns columns;
  std::istringstream in(read_file(file));
  std::string line;
  std::vector<std::string> names;
  if (std::getline(in, line)) {
    std::istringstream h(line);
    std::string name;
    while (std::getline(h, name, ',')) names.push_back(name);
  }
  while (std::getline(in, line)) {
    std::istringstream row(line);
    std::string cell;
    for (std::size_t i = 0; i < names.size() && std::getline(row, cell, ','); ++i) {
      char* end = nullptr;
      const double v = std::strtod(cell.c_str(), &end);
      if (end != cell.c_str()) columns[names[i]].push_back(v);
    }
  }
  return columns;
}

// The fastest movement towards home (negative velocity) the simulator recorded from time `from_s`.
inline double max_speed_towards_home(const TraceColumns& trace, double from_s = 0.0) {
  double m = 0.0;
  if (trace.count("velocity") == 0 || trace.count("t") == 0) return m;
  const auto& t = trace.at("t");
  const auto& v = trace.at("velocity");
  for (std::size_t i = 0; i < std::min(t.size(), v.size()); ++i) {
    if (t[i] >= from_s) m = std::max(m, -v[i]);
  }
  return m;
}

}  // namespace traction::e2e
