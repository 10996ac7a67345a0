// SPDX-License-Identifier: Apache-2.0
#include "cli/commands.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/command_support.hpp"
#include "cli/event_text.hpp"
#include "cli/plan_text.hpp"
#include "cli/progress_view.hpp"
#include "cli/rpc_client.hpp"

namespace traction::ctl {
namespace {

using client::Response;
using client::RpcClient;
using nlohmann::json;

constexpr int kCallTimeoutMs = 10000;
std::atomic<bool> g_interrupted{false};

void on_interrupt(int) {
  g_interrupted = true;
}

void print_failure(const std::string& method, const client::RpcFailure& failure) {
  std::cerr << "tractionctl: " << method << " failed: " << failure.message;
  if (!failure.reason.empty()) std::cerr << " [" << failure.reason << "]";
  std::cerr << "\n";
  if (const auto violations = failure.data.find("violations");
      violations != failure.data.end() && violations->is_array()) {
    for (const auto& violation : *violations) {
      std::cerr << "  - "
                << (violation.is_string() ? violation.get<std::string>() : violation.dump())
                << "\n";
    }
  }
}

// NAME or FILE: anything that names an existing file or ends in .json is read as a definition.
int program_params(const Options& options, json& params) {
  const std::string& target = options.target;
  const bool looks_like_file = target.find('/') != std::string::npos ||
                               (target.size() > 5 && target.substr(target.size() - 5) == ".json") ||
                               access(target.c_str(), R_OK) == 0;
  if (looks_like_file) {
    std::ifstream in(target);
    if (!in) {
      std::cerr << "tractionctl: cannot read " << target << "\n";
      return kUsage;
    }
    std::stringstream text;
    text << in.rdbuf();
    json definition = json::parse(text.str(), nullptr, false);
    if (definition.is_discarded() || !definition.is_object()) {
      std::cerr << "tractionctl: " << target << " is not a JSON object\n";
      return kUsage;
    }
    params = {{"definition", definition}};
  } else {
    params = {{"program", target}};
  }
  if (!options.profile.empty()) params["profile"] = options.profile;
  return kOk;
}

std::size_t terminal_width() {
  winsize size{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 20) return size.ws_col;
  return 80;
}

// Shows notifications until `finished` says so or the user interrupts. Events are lines with their
// local time. On a terminal the progress line stays below them, redrawn in place; otherwise plain
// status lines go out at most once a second.
struct Follower {
  bool json_lines = false;
  bool terminal = isatty(STDOUT_FILENO) != 0;
  std::chrono::steady_clock::time_point last_plain{};
  bool line_drawn = false;
  std::string unit;           // the axis unit of the last status, for the readings of events
  std::string progress_text;  // the last progress line, drawn again below each event

  void show_status(const json& status) {
    if (json_lines) return;
    if (status.contains("unit") && status["unit"].is_string()) unit = status["unit"];
    if (terminal) {
      progress_text = client::progress_line(status, terminal_width() - 1);
      draw_progress();
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - last_plain < std::chrono::seconds(1)) return;
    last_plain = now;
    std::cout << client::plain_status_line(status) << std::endl;
  }
  void show_event(const json& event) {
    if (json_lines) return;
    end_line();
    std::cout << client::event_line(event, unit) << std::endl;
    if (terminal && !progress_text.empty()) draw_progress();
  }
  void draw_progress() {
    std::cout << "\r" << progress_text << "\x1b[K" << std::flush;
    line_drawn = true;
  }
  void end_line() {
    if (terminal && line_drawn) std::cout << "\r\x1b[K" << std::flush;
    line_drawn = false;
  }
};

int subscribe(RpcClient& rpc) {
  json ignored;
  return call(rpc, "status.subscribe", {{"rate_hz", 10}, {"events", true}}, ignored);
}

}  // namespace

Connected open(const Options& options) {
  auto connected = RpcClient::connect(options.socket_path);
  if (!connected) {
    std::cerr << "tractionctl: " << connected.status().message() << "\n";
    return {nullptr, kCannotConnect};
  }
  return {std::move(*connected), kOk};
}

int call(RpcClient& rpc, const std::string& method, const json& params, json& result) {
  auto response = rpc.call(method, params, kCallTimeoutMs);
  if (!response) {
    std::cerr << "tractionctl: " << method << ": " << response.status().message() << "\n";
    return kCannotConnect;
  }
  if (response->error) {
    print_failure(method, *response->error);
    return kDaemonError;
  }
  result = response->result;
  return kOk;
}

std::string default_socket_path() {
  const char* env = std::getenv("TRACTIOND_SOCKET");
  return env != nullptr && *env != '\0' ? env : "/run/tractiond/tractiond.sock";
}

int info(const Options& options) {
  return read_command(options, "daemon.info", json::object(), [](const json& result) {
    for (const auto& item : result.items()) {
      std::cout << item.key() << ": "
                << (item.value().is_string() ? item.value().get<std::string>()
                                             : item.value().dump())
                << "\n";
    }
  });
}

int status(const Options& options) {
  return read_command(options, "status.get", json::object(),
                      [](const json& result) { std::cout << client::status_text(result); });
}

int programs(const Options& options) {
  return read_command(options, "program.list", json::object(), [](const json& result) {
    for (const auto& program : result.value("programs", json::array())) {
      if (!program.is_object()) {
        std::cout << program.dump() << "\n";
        continue;
      }
      std::cout << program.value("name", "?");
      if (program.contains("total_seconds") && program["total_seconds"].is_number()) {
        std::cout << "  (" << client::format_seconds(program["total_seconds"].get<double>()) << ")";
      }
      if (program.contains("description") && program["description"].is_string()) {
        std::cout << "  " << program["description"].get<std::string>();
      }
      std::cout << "\n";
    }
  });
}

int show(const Options& options) {
  return read_command(options, "program.get", {{"name", options.target}},
                      [](const json& result) { std::cout << client::program_text(result); });
}

int profiles(const Options& options) {
  return read_command(options, "profile.list", json::object(), [](const json& result) {
    for (const auto& profile : result.value("profiles", json::array())) {
      std::cout << (profile.is_object() ? profile.value("name", profile.dump()) : profile.dump())
                << "\n";
    }
  });
}

int limits(const Options& options) {
  json params = json::object();
  if (!options.profile.empty()) params["profile"] = options.profile;
  return read_command(options, "limits.get", params,
                      [](const json& result) { std::cout << result.dump(2) << "\n"; });
}

int validate(const Options& options) {
  json params;
  if (int code = program_params(options, params); code != kOk) return code;
  return read_command(options, "program.validate", params, [&options](const json& result) {
    const json plan = result.value("plan", json::object());
    std::cout << options.target << ": valid";
    if (plan.is_object() && plan.contains("total_seconds") && plan["total_seconds"].is_number()) {
      std::cout << ", about " << client::format_seconds(plan["total_seconds"].get<double>());
    }
    std::cout << "\n";
    // Progression: what this session gets, derived from the history (docs/programs.md).
    const json progression = plan.is_object() ? plan.value("progression", json()) : json();
    if (!progression.is_object()) return;
    for (const auto& rule : progression.value("rules", json::array())) {
      std::cout << "  progression: " << rule.value("parameter", "?") << " "
                << rule.value("value", 0.0) << " (base " << rule.value("base", 0.0) << ", +"
                << rule.value("add", 0.0) << " per " << rule.value("every", "session") << ", step "
                << rule.value("level", 0) << " of " << rule.value("max_level", 0) << ")\n";
    }
  });
}

int simple_command(const Options& options, const std::string& method) {
  auto connected = open(options);
  if (!connected.client) return connected.exit_code;
  json result;
  if (int code = call(*connected.client, method, json::object(), result); code != kOk) return code;
  std::cout << method << ": ok" << (result.empty() ? "" : " " + result.dump()) << "\n";
  return kOk;
}

int watch(const Options& options) {
  auto connected = open(options);
  if (!connected.client) return connected.exit_code;
  if (int code = subscribe(*connected.client); code != kOk) return code;
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  Follower view;
  view.json_lines = options.json;
  while (!g_interrupted) {
    auto next = connected.client->next_notification(200);
    if (!next) {
      view.end_line();
      std::cerr << "tractionctl: " << next.status().message() << "\n";
      return kCannotConnect;
    }
    if (!*next) continue;
    const json& message = **next;
    if (options.json) std::cout << message.dump() << std::endl;
    const json params = message.value("params", json::object());
    if (message.value("method", "") == "event") {
      view.show_event(params);
    } else {
      view.show_status(params.value("status", json::object()));
    }
  }
  view.end_line();
  return kOk;
}

int run(const Options& options) {
  json params;
  if (int code = program_params(options, params); code != kOk) return code;
  auto connected = open(options);
  if (!connected.client) return connected.exit_code;
  RpcClient& rpc = *connected.client;
  json before;
  if (int code = call(rpc, "status.get", json::object(), before); code != kOk) return code;
  const json previous_last = before.value("last_session", json());
  const std::string previous_id = previous_last.is_object() ? previous_last.value("id", "") : "";
  // Subscribe before starting so that no event of this session can be missed.
  if (options.follow) {
    if (int code = subscribe(rpc); code != kOk) return code;
  }
  json started;
  if (int code = call(rpc, "session.start", params, started); code != kOk) return code;
  const std::string id =
      started.is_object() ? started.value("id", started.value("session_id", "")) : "";
  std::cout << "session " << (id.empty() ? "?" : id) << " started: " << options.target << std::endl;
  if (!options.follow) return kOk;

  std::signal(SIGINT, on_interrupt);
  Follower view;
  view.json_lines = options.json;
  if (before.contains("unit") && before["unit"].is_string()) view.unit = before["unit"];
  while (!g_interrupted) {
    auto next = rpc.next_notification(500);
    if (!next) {
      view.end_line();
      std::cerr << "tractionctl: lost the daemon while following: " << next.status().message()
                << "\n";
      return kCannotConnect;
    }
    if (!*next) continue;
    const json& message = **next;
    if (options.json) std::cout << message.dump() << std::endl;
    const json params_in = message.value("params", json::object());
    if (message.value("method", "") == "event") {
      view.show_event(params_in);
      continue;
    }
    const json status_now = params_in.value("status", json::object());
    view.show_status(status_now);
    // The session is over when last_session names it (or, without an id, is a new one).
    const json last = status_now.value("last_session", json());
    if (!last.is_object()) continue;
    const std::string last_id = last.value("id", "");
    if (id.empty() ? last_id == previous_id : last_id != id) continue;
    view.end_line();
    const std::string outcome = last.value("outcome", "?");
    const std::string reason = last.value("reason", "");
    std::cout << "session " << last_id << " " << outcome << (reason.empty() ? "" : ": " + reason)
              << std::endl;
    return outcome == "completed" ? kOk : kSessionFailed;
  }
  view.end_line();
  std::cerr << "tractionctl: interrupted; the session goes on (tractionctl stop ends it)\n";
  return kInterrupted;
}

}  // namespace traction::ctl
