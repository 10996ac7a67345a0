// SPDX-License-Identifier: Apache-2.0
// tractionctl's history commands: list, show, export as CSV, feedback and plot (docs/history.md).
#pragma once

#include <optional>
#include <string>

#include "cli/commands.hpp"

namespace traction::ctl {

struct HistoryOptions {
  std::string id;      // show, export, feedback, plot
  std::string since;   // list: UTC date or time
  int limit = 20;      // list
  bool csv = false;    // export
  std::string output;  // plot: the SVG file; export: "" = stdout
  std::optional<int> comfort_before;
  std::optional<int> comfort_after;
  std::optional<std::string> note;
};

// history.list (--profile from Options).
int history_list(const Options& options, const HistoryOptions& history);
// history.get: summary, plan, progression and events as text.
int history_show(const Options& options, const HistoryOptions& history);
// history.get with samples as CSV: t_s,target,actual,velocity,phase,phase_kind.
int history_export(const Options& options, const HistoryOptions& history);
int feedback(const Options& options, const HistoryOptions& history);
// history.get with samples, drawn as SVG into history.output.
int plot(const Options& options, const HistoryOptions& history);

}  // namespace traction::ctl
