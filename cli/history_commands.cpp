// SPDX-License-Identifier: Apache-2.0
#include "cli/history_commands.hpp"

#include <fstream>
#include <iomanip>
#include <iostream>

#include "cli/command_support.hpp"
#include "cli/progress_view.hpp"
#include "cli/svg_plot.hpp"

namespace traction::ctl {
namespace {

using nlohmann::json;

std::string text_of(const json& object, const char* key, const std::string& none = "-") {
  if (!object.contains(key) || object[key].is_null()) return none;
  const json& v = object[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(1) << v.get<double>();
    return s.str();
  }
  return v.dump();
}

std::string comfort(const json& session) {
  if (session["comfort_before"].is_null() && session["comfort_after"].is_null()) return "";
  return "  comfort " + text_of(session, "comfort_before", "?") + "→" +
         text_of(session, "comfort_after", "?");
}

// One line per session: what a person scanning the list wants first.
void print_line(const json& s) {
  const std::string duration = s["duration_seconds"].is_number()
                                   ? client::format_seconds(s["duration_seconds"].get<double>())
                                   : "-";
  std::cout << text_of(s, "id") << "  " << text_of(s, "started_utc").substr(0, 19) << "  "
            << text_of(s, "program")
            << (s["profile"] == "" ? "" : " (" + text_of(s, "profile") + ")") << "  "
            << text_of(s, "outcome", "open") << "  " << duration << "  peak " << text_of(s, "peak")
            << " " << text_of(s, "unit", "") << comfort(s) << "\n";
}

int get_session(const Options& options, const std::string& id, bool samples, json& session) {
  auto connected = open(options);
  if (!connected.client) return connected.exit_code;
  return call(*connected.client, "history.get", {{"id", id}, {"samples", samples}}, session);
}

std::string phase_kind(const json& session, const json& phase) {
  const json phases = session.value("plan", json::object()).value("phases", json::array());
  if (!phase.is_number_integer()) return "after_end";
  const auto i = phase.get<std::size_t>();
  return i < phases.size() ? phases[i].value("kind", "") : "";
}

}  // namespace

int history_list(const Options& options, const HistoryOptions& history) {
  json params = {{"limit", history.limit}};
  if (!options.profile.empty()) params["profile"] = options.profile;
  if (!history.since.empty()) params["since"] = history.since;
  return read_command(options, "history.list", params, [](const json& result) {
    const json sessions = result.value("sessions", json::array());
    if (sessions.empty()) std::cout << "no sessions recorded\n";
    for (const auto& s : sessions) print_line(s);
  });
}

int history_show(const Options& options, const HistoryOptions& history) {
  return read_command(options, "history.get", {{"id", history.id}}, [](const json& s) {
    print_line(s);
    std::cout << "reason: " << text_of(s, "reason") << "\n"
              << "mean " << text_of(s, "mean") << " " << text_of(s, "unit", "")
              << ", time at target " << text_of(s, "time_at_target_seconds") << " s\n";
    if (s["note"].is_string()) std::cout << "note: " << s["note"].get<std::string>() << "\n";
    const json plan = s.value("plan", json::object());
    std::cout << "plan: " << plan.value("phases", json::array()).size() << " phases, about "
              << client::format_seconds(plan.value("total_seconds", 0.0)) << "\n";
    if (s["progression"].is_object()) {
      for (const auto& rule : s["progression"].value("rules", json::array())) {
        std::cout << "progression: " << text_of(rule, "parameter") << " " << text_of(rule, "value")
                  << " (step " << text_of(rule, "level") << " of " << text_of(rule, "max_level")
                  << ")\n";
      }
    }
    std::cout << "events:\n";
    for (const auto& e : s.value("events", json::array())) {
      std::cout << "  " << text_of(e, "time_utc") << "  " << text_of(e, "kind") << "  "
                << e.value("detail", json::object()).dump() << "\n";
    }
  });
}

int history_export(const Options& options, const HistoryOptions& history) {
  if (!history.csv) {
    std::cerr << "tractionctl: history export needs --csv (the only format so far)\n";
    return kUsage;
  }
  json session;
  if (int code = get_session(options, history.id, true, session); code != kOk) return code;
  std::ofstream file;
  if (!history.output.empty()) file.open(history.output);
  std::ostream& out = history.output.empty() ? std::cout : file;
  out << "t_s,target,actual,velocity,phase,phase_kind\n";
  for (const auto& r : session.value("samples", json::object()).value("rows", json::array())) {
    out << r[0].dump() << "," << r[1].dump() << "," << r[2].dump() << ","
        << (r[3].is_null() ? "" : r[3].dump()) << "," << (r[4].is_null() ? "" : r[4].dump()) << ","
        << phase_kind(session, r[4]) << "\n";
  }
  return out.good() ? kOk : kDaemonError;
}

int feedback(const Options& options, const HistoryOptions& history) {
  json params = {{"id", history.id}};
  if (history.comfort_before) params["comfort_before"] = *history.comfort_before;
  if (history.comfort_after) params["comfort_after"] = *history.comfort_after;
  if (history.note) params["note"] = *history.note;
  return read_command(options, "session.feedback", params, [](const json& result) {
    std::cout << "feedback for " << text_of(result, "id") << ": comfort "
              << text_of(result, "comfort_before", "?") << "→"
              << text_of(result, "comfort_after", "?")
              << (result["note"].is_string() ? ", note: " + result["note"].get<std::string>() : "")
              << "\n";
  });
}

int plot(const Options& options, const HistoryOptions& history) {
  json session;
  if (int code = get_session(options, history.id, true, session); code != kOk) return code;
  std::ofstream file(history.output);
  file << session_svg(session);
  if (!file.good()) {
    std::cerr << "tractionctl: cannot write " << history.output << "\n";
    return kUsage;
  }
  std::cout << history.output << ": " << session.value("id", "?") << " ("
            << session.value("samples", json::object()).value("rows", json::array()).size()
            << " samples)\n";
  return kOk;
}

}  // namespace traction::ctl
