// SPDX-License-Identifier: Apache-2.0
// Golden protocol transcripts (tests/golden/protocol/*.txt): the format, and the comparison that
// ignores what a live device makes vary (times, readings, ids) and nothing else.
//
//   # text                 a comment, shown in the docs
//   ! config FILE          (first line only) the daemon config, relative to tests/golden/
//   ! sim {json}           a command to the simulator's control socket
//   ! wait PATH=VALUE      poll status.get (on a side connection) until the dotted PATH has VALUE;
//   ! wait PATH>NUMBER     or exceeds NUMBER, or (PATH~TEXT) is a string containing TEXT
//   ! remember NAME=PATH   keep the status object's value at PATH; $NAME in a later >> line is it
//   ! restart with an unusable history   SIGKILL the daemon, make its database path a directory,
//                          start it again and talk on a new connection
//   ! connect              open another connection and talk on it (the earlier ones stay open)
//   ! close                close the current connection and go back to the previous one
//   ! as nobody            open a connection as uid/gid 65534 (root only: the transcript is skipped
//                          otherwise) and talk on it
//   >> LINE                sent as is; consecutive >> lines go out in one write
//   >> !bytes N C          N bytes of the character C and a newline
//   << LINE                expected: the response with the same id, or the next notification with
//                          the same method, or (id null) the next unsolicited error
#pragma once

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace traction::golden {

struct Step {
  enum class Kind { comment, directive, send, expect } kind = Kind::comment;
  std::string text;  // the line without its "# ", "! ", ">> " or "<< " prefix
};

inline std::vector<Step> parse_transcript(const std::string& content) {
  std::vector<Step> steps;
  std::size_t pos = 0;
  while (pos < content.size()) {
    std::size_t end = content.find('\n', pos);
    if (end == std::string::npos) end = content.size();
    const std::string line = content.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty()) continue;
    Step step;
    if (line.rfind("# ", 0) == 0 || line == "#") {
      step = {Step::Kind::comment, line.size() > 2 ? line.substr(2) : ""};
    } else if (line.rfind("! ", 0) == 0) {
      step = {Step::Kind::directive, line.substr(2)};
    } else if (line.rfind(">> ", 0) == 0) {
      step = {Step::Kind::send, line.substr(3)};
    } else if (line.rfind("<< ", 0) == 0) {
      step = {Step::Kind::expect, line.substr(3)};
    } else {
      throw std::runtime_error("transcript line has no known prefix: " + line);
    }
    steps.push_back(step);
  }
  return steps;
}

inline std::string render_transcript(const std::vector<Step>& steps) {
  std::string out;
  for (const Step& s : steps) {
    switch (s.kind) {
      case Step::Kind::comment:
        out += s.text.empty() ? "#\n" : "# " + s.text + "\n";
        break;
      case Step::Kind::directive:
        out += "! " + s.text + "\n";
        break;
      case Step::Kind::send:
        out += ">> " + s.text + "\n";
        break;
      case Step::Kind::expect:
        out += "<< " + s.text + "\n";
        break;
    }
  }
  return out;
}

// Values that vary from run to run anywhere: clocks, processes, session ids, the build.
inline const std::set<std::string>& always_volatile_keys() {
  static const std::set<std::string> keys = {
      "time_utc",   "started_utc", "ended_utc",      "pid",      "uid", "gid",
      "session_id", "version",     "last_event_seq", "until_utc"};
  return keys;
}

// Values that vary with the live device and the loop, inside live objects only (a status object
// and its parts, event details): a program's own "target" is compared, the setpoint's is not.
inline const std::set<std::string>& live_volatile_keys() {
  static const std::set<std::string> keys = {"age_ms",
                                             "cycles",
                                             "max_cycle_ms",
                                             "overruns",
                                             "elapsed_seconds",
                                             "active_seconds",
                                             "exposure_seconds",
                                             "away_from_home",
                                             "activity",
                                             "remaining_seconds",
                                             "phase_remaining_seconds",
                                             "progress",
                                             "angle_deg",
                                             "force_n",
                                             "velocity",
                                             "setpoint",
                                             "target",
                                             "actual",
                                             "peak",
                                             "mean",
                                             "status_word",
                                             "drive",
                                             "fresh",
                                             "consecutive_failures",
                                             "time_at_target_seconds",
                                             "duration_seconds",
                                             "phase_index",
                                             "phase_kind",
                                             "phase_label",
                                             "phase_target",
                                             "repetition",
                                             "seq"};
  return keys;
}

inline bool is_live_container(const std::string& key) {
  static const std::set<std::string> keys = {"device", "session", "last_session",
                                             "status", "detail",  "loop"};
  return keys.count(key) != 0;
}

inline const char* type_name(const nlohmann::json& v) {
  if (v.is_number()) return "<number>";
  if (v.is_string()) return "<string>";
  if (v.is_boolean()) return "<boolean>";
  if (v.is_null()) return "<null>";
  return v.type_name();
}

inline bool ends_word(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0 || c == '"' || c == '\'' || c == '(' ||
         c == ')' || c == ',' || c == ';' || c == ':' || c == '[' || c == ']';
}

// A word with a '/' that ends in a file name with an extension ("x.json", "history.db") is a
// path: its file name, or the word itself.
inline std::string file_name_of(const std::string& word) {
  const std::size_t slash = word.rfind('/');
  if (slash == std::string::npos) return word;
  const std::string name = word.substr(slash + 1);
  const std::size_t dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == name.size()) return word;
  const bool extension =
      std::all_of(name.begin() + static_cast<std::ptrdiff_t>(dot) + 1, name.end(),
                  [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
  return extension ? name : word;
}

// Every file path in the text becomes its file name: where a checkout, its config or a temporary
// directory lives, and whether a path is shown absolute or relative, does not matter. A plain
// scan, not std::regex (whose recursion per character overflows the stack on long messages).
inline std::string mask_paths(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (ends_word(text[i])) {
      out += text[i++];
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && !ends_word(text[end])) ++end;
    out += file_name_of(text.substr(i, end - i));
    i = end;
  }
  return out;
}

// Inside human text: session ids, process credentials, measured decimals and file paths vary
// with the run and the machine; the words do not.
inline std::string normalize_text(std::string text) {
  static const std::vector<std::pair<std::regex, std::string>> rules = {
      {std::regex(R"(\bs\d+-\d+\b)"), "<session>"},
      {std::regex(R"(\b(pid|uid|gid)=\d+)"), "$1=<n>"},
      {std::regex(R"(\d+\.\d+)"), "<decimal>"}};
  text = mask_paths(text);
  for (const auto& [pattern, replacement] : rules)
    text = std::regex_replace(text, pattern, replacement);
  return text;
}

// Replaces volatile values by their type name, so presence and type are still compared. A string
// "id" is a session id; numeric JSON-RPC ids stay: they match a response to its request.
inline nlohmann::json normalize(const nlohmann::json& value, const std::string& key = "",
                                bool live = false) {
  if (value.is_object()) {
    // A status object, or a session record of the history: live through and through.
    const bool status_object =
        (value.contains("state") && value.contains("device")) || value.contains("started_utc");
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [k, v] : value.items()) {
      out[k] = normalize(v, k, live || status_object || is_live_container(k));
    }
    return out;
  }
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : value) out.push_back(normalize(v, key, live));
    return out;
  }
  const bool varies = always_volatile_keys().count(key) != 0 ||
                      (live && live_volatile_keys().count(key) != 0) ||
                      (key == "id" && value.is_string());
  if (varies) return type_name(value);
  if (value.is_string() && key != "jsonrpc") return normalize_text(value.get<std::string>());
  return value;
}

}  // namespace traction::golden
