// SPDX-License-Identifier: Apache-2.0
// tractionctl: the command-line client of tractiond's control socket (docs/protocol.md).
#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>
#include <map>

#include "cli/commands.hpp"
#include "cli/history_commands.hpp"
#include "cli/remote_commands.hpp"
#include "cli/selftest_command.hpp"

namespace {

using traction::ctl::Options;

constexpr const char* kFooter =
    "Exit codes: 0 success, 1 error from the daemon (reason printed), 2 bad usage,\n"
    "3 cannot connect to tractiond, 4 a followed session ended other than completed (or the\n"
    "self-test failed),\n"
    "130 interrupted while following.\n"
    "The socket is --socket, else $TRACTIOND_SOCKET, else /run/tractiond/tractiond.sock.";

}  // namespace

namespace {

int run_cli(int argc, char** argv) {
  CLI::App app{
      "tractionctl: control and watch tractiond, the inversion table and traction bench "
      "daemon.\ntractiond is not a certified medical device.",
      "tractionctl"};
  app.footer(kFooter);
  app.require_subcommand(1);
  Options options;
  options.socket_path = traction::ctl::default_socket_path();
  app.add_option("--socket", options.socket_path, "path of tractiond's control socket")
      ->capture_default_str();

  // Each subcommand: its help, whether it reads (gets --json), and what it needs.
  std::map<CLI::App*, std::function<int()>> actions;
  auto add = [&](const char* name, const char* help, bool read, std::function<int()> action) {
    CLI::App* command = app.add_subcommand(name, help);
    if (read) command->add_flag("--json", options.json, "print the daemon's JSON result");
    actions[command] = std::move(action);
    return command;
  };
  using namespace traction::ctl;
  add("info", "daemon, protocol and device information", true, [&] { return info(options); });
  add("status", "the daemon's state, device readings and session", true,
      [&] { return status(options); });
  add("watch", "live view of status and events until Ctrl-C", true, [&] { return watch(options); });
  add("programs", "list the program catalog", true, [&] { return programs(options); });
  add("show", "one program: its plan as a table, its total and the limits that bind it", true,
      [&] { return show(options); })
      ->add_option("name", options.target, "program name")
      ->required();
  auto* validate_command = add("validate", "check a program against the limits (nothing moves)",
                               true, [&] { return validate(options); });
  validate_command->add_option("program", options.target, "program NAME or FILE (.json)")
      ->required();
  validate_command->add_option("--profile", options.profile, "profile whose limits apply");
  auto* run_command =
      add("run", "start a session with a program", false, [&] { return run(options); });
  run_command->add_option("program", options.target, "program NAME or FILE (.json)")->required();
  run_command->add_option("--profile", options.profile, "profile whose limits apply");
  run_command->add_flag("--follow", options.follow,
                        "show live progress and exit with the session's outcome");
  run_command->add_flag("--json", options.json, "with --follow: print notifications as JSON lines");
  add("pause", "pause the running session", false,
      [&] { return simple_command(options, "session.pause"); });
  add("resume", "resume a paused session", false,
      [&] { return simple_command(options, "session.resume"); });
  add("stop", "stop the session with a gradual return to safe", false,
      [&] { return simple_command(options, "session.stop"); });
  add("estop", "emergency stop (allowed for everyone)", false,
      [&] { return simple_command(options, "device.estop"); });
  add("reset", "clear a latched fault or estop (admin; device at rest)", false,
      [&] { return simple_command(options, "device.reset"); });
  traction::ctl::SelfTestOptions selftest_options;
  auto* selftest_command =
      add("selftest", "commissioning self-test with nobody on the device (operator)", true,
          [&] { return traction::ctl::selftest(options, selftest_options); });
  selftest_command->add_flag("--yes", selftest_options.yes, "nobody is on the device: do not ask");
  selftest_command
      ->add_option("--switch-seconds", selftest_options.stop_switch_seconds,
                   "time to press the patient stop switch")
      ->check(CLI::Range(5.0, 300.0))
      ->capture_default_str();
  add("profiles", "list the person profiles", true, [&] { return profiles(options); });
  add("limits", "the effective limits", true, [&] {
    return limits(options);
  })->add_option("--profile", options.profile, "profile whose limits apply");

  // Session history (docs/history.md).
  traction::ctl::HistoryOptions history;
  auto* history_command = add("history", "recorded sessions, newest first", true, [&]() -> int {
    return traction::ctl::history_list(options, history);
  });
  history_command->add_option("--profile", options.profile, "only this profile's sessions");
  history_command->add_option("--since", history.since, "only sessions since this UTC date/time");
  history_command->add_option("--limit", history.limit, "at most this many (default 20)")
      ->check(CLI::Range(1, 1000));
  auto* show_history = history_command->add_subcommand("show", "one session: figures and events");
  show_history->add_option("id", history.id, "session id")->required();
  show_history->add_flag("--json", options.json, "print the daemon's JSON result");
  auto* export_history =
      history_command->add_subcommand("export", "one session's 10 Hz samples as CSV");
  export_history->add_option("id", history.id, "session id")->required();
  export_history->add_flag("--csv", history.csv, "CSV: t_s,target,actual,velocity,phase,phase_kind")
      ->required();
  export_history->add_option("-o,--output", history.output, "write to FILE instead of stdout");
  history_command->require_subcommand(0, 1);
  auto* feedback_command =
      add("feedback", "record comfort (0 worst .. 10) and a note for a session", false,
          [&] { return traction::ctl::feedback(options, history); });
  feedback_command->add_option("id", history.id, "session id")->required();
  feedback_command->add_option("--before", history.comfort_before, "comfort before, 0..10")
      ->check(CLI::Range(0, 10));
  feedback_command->add_option("--after", history.comfort_after, "comfort after, 0..10")
      ->check(CLI::Range(0, 10));
  feedback_command->add_option("--note", history.note, "a note");
  auto* plot_command = add("plot", "draw a session (target, actual, phases, events) as SVG", false,
                           [&] { return traction::ctl::plot(options, history); });
  plot_command->add_option("id", history.id, "session id")->required();
  plot_command->add_option("-o,--output", history.output, "the SVG file to write")->required();

  // Remote start granted at the device, and the fleet on an MQTT broker (docs/mqtt.md).
  double grant_minutes = 0;
  auto* remote = add("remote-start", "remote start over MQTT: allow it here, revoke, show", true,
                     [&] { return traction::ctl::remote_start_status(options); });
  auto* allow = remote->add_subcommand("allow", "allow a remote start for N minutes (operator)");
  allow->add_option("--minutes", grant_minutes, "how long the grant lasts")
      ->required()
      ->check(CLI::Range(1, 240));
  auto* revoke = remote->add_subcommand("revoke", "end the grant now");
  remote->add_subcommand("status", "whether remote start is granted, and until when");
  remote->require_subcommand(0, 1);
  traction::ctl::FleetOptions fleet;
  auto* fleet_command = add("fleet", "every device seen on an MQTT broker: state, last session",
                            true, [&] { return traction::ctl::fleet(options, fleet); });
  fleet_command->add_option("--broker", fleet.broker, "mqtt://HOST:PORT or mqtts://HOST:PORT");
  fleet_command->add_option("--config", fleet.config_file,
                            "a tractiond-mqtt config: credentials, TLS files, topic prefix");
  fleet_command->add_option("--wait", fleet.wait_seconds, "seconds to wait at most (default 3)")
      ->check(CLI::Range(0.2, 60.0));

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kUsage;
  }
  if (show_history->parsed()) return history_show(options, history);
  if (allow->parsed()) return traction::ctl::remote_start_allow(options, grant_minutes);
  if (revoke->parsed()) return traction::ctl::remote_start_revoke(options);
  if (export_history->parsed()) return history_export(options, history);
  for (const auto& [command, action] : actions) {
    if (command->parsed()) return action();
  }
  return kUsage;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run_cli(argc, argv);
  } catch (const std::exception& e) {
    // Inside tractionctl an exception is a bug or an answer it cannot read; say so plainly.
    std::cerr << "tractionctl: internal error: " << e.what() << "\n";
    return traction::ctl::kDaemonError;
  }
}
