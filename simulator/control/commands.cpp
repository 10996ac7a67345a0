// SPDX-License-Identifier: Apache-2.0
#include "simulator/control/commands.hpp"

#include <functional>

#include "core/text_match.hpp"

namespace traction::sim {

namespace {

enum class ParamKind {
  number,  // within [min, max]
  flag,    // true or false, kept as 1 or 0
  word,    // one of `words`
};

struct Param {
  const char* key;
  double min;
  double max;
  bool required;
  double fallback;
  ParamKind kind = ParamKind::number;
  std::vector<std::string> words = {};
};

// A command's arguments as the run function sees them.
struct Args {
  const std::map<std::string, double>& numbers;
  const std::map<std::string, std::string>& words;
  double at(const std::string& key) const { return numbers.at(key); }
  bool flag(const std::string& key) const { return numbers.at(key) != 0.0; }
  const std::string& word(const std::string& key) const { return words.at(key); }
};

struct CommandSpec {
  const char* name;
  std::vector<Param> params;
  std::function<void(CommandTarget&, const Args&)> run;
};

Param flag_param(const char* key) {
  return {key, 0, 1, true, 0, ParamKind::flag};
}

constexpr double kHour = 3600.0;

const std::vector<CommandSpec>& command_table() {
  static const std::vector<CommandSpec> table = {
      {"state", {}, [](CommandTarget&, const Args&) {}},
      {"press_stop", {}, [](CommandTarget& t, const Args&) { t.device.press_stop(); }},
      {"release_stop", {}, [](CommandTarget& t, const Args&) { t.device.release_stop(); }},
      {"unplug_stop_switch",
       {},
       [](CommandTarget& t, const Args&) { t.device.unplug_stop_switch(); }},
      {"plug_stop_switch", {}, [](CommandTarget& t, const Args&) { t.device.plug_stop_switch(); }},
      {"drive_fault",
       {{"code", 1, 65535, true, 0}, {"seconds", 0, kHour, false, 0}},
       [](CommandTarget& t, const Args& a) {
         t.device.drive().inject_fault(static_cast<std::uint16_t>(a.at("code")), a.at("seconds"));
       }},
      {"comm_loss",
       {{"seconds", 0, kHour, true, 0}},
       [](CommandTarget& t, const Args& a) {
         t.comm.comm_loss(t.device.time_s(), a.at("seconds"));
       }},
      {"delay_replies",
       {{"ms", 0, 60000, true, 0}, {"seconds", 0, kHour, true, 0}},
       [](CommandTarget& t, const Args& a) {
         t.comm.delay_replies(t.device.time_s(), static_cast<int>(a.at("ms")), a.at("seconds"));
       }},
      {"exceptions",
       {{"code", 1, 255, true, 0}, {"count", 1, 1e6, true, 0}},
       [](CommandTarget& t, const Args& a) {
         t.comm.exceptions(static_cast<std::uint8_t>(a.at("code")),
                           static_cast<int>(a.at("count")));
       }},
      {"corrupt_crc",
       {{"count", 1, 1e6, true, 0}},
       [](CommandTarget& t, const Args& a) {
         t.comm.corrupt_crc(static_cast<int>(a.at("count")));
       }},
      {"sensor_stuck",
       {{"seconds", 0, kHour, true, 0}},
       [](CommandTarget& t, const Args& a) { t.device.sensors().stick(a.at("seconds")); }},
      {"sensor_noise",
       {{"sigma", 0, 1e4, true, 0}},
       [](CommandTarget& t, const Args& a) { t.device.sensors().set_noise_sigma(a.at("sigma")); }},
      {"force_spike",
       {{"newtons", -1e4, 1e4, true, 0}, {"ms", 1, 60000, true, 0}},
       [](CommandTarget& t, const Args& a) {
         t.device.sensors().spike(a.at("newtons"), a.at("ms") / 1000.0);
       }},
      {"power_loss",
       {{"seconds", 0.001, kHour, true, 0}},
       [](CommandTarget& t, const Args& a) { t.device.power_loss(a.at("seconds")); }},
      {"reset_peaks", {}, [](CommandTarget& t, const Args&) { t.device.reset_peaks(); }},
      // The drive's own reaction (as --drive-reaction); a reaction under way switches at once.
      {"drive_reaction",
       {{"mode", 0, 0, true, 0, ParamKind::word, {"home", "hold"}}},
       [](CommandTarget& t, const Args& a) {
         t.device.drive().set_reaction(*parse_drive_reaction(a.word("mode")));
       }},
      // Faults for a self-test: a watchdog that never trips, a stop switch not wired to the drive.
      {"watchdog_ignore",
       {flag_param("on")},
       [](CommandTarget& t, const Args& a) {
         t.device.drive().set_watchdog_ignored(a.flag("on"));
       }},
      {"stop_switch_dead",
       {flag_param("on")},
       [](CommandTarget& t, const Args& a) { t.device.set_stop_switch_wired(!a.flag("on")); }},
  };
  return table;
}

const CommandSpec* find_command(const std::string& name) {
  for (const CommandSpec& spec : command_table()) {
    if (name == spec.name) return &spec;
  }
  return nullptr;
}

}  // namespace

std::vector<std::string> command_names() {
  std::vector<std::string> names;
  for (const CommandSpec& spec : command_table()) names.emplace_back(spec.name);
  return names;
}

namespace {
void read_param(ObjectReader& reader, const Param& p, Command& command) {
  switch (p.kind) {
    case ParamKind::number:
      command.args[p.key] = p.required ? reader.number(p.key, p.min, p.max)
                                       : reader.number_or(p.key, p.fallback, p.min, p.max);
      break;
    case ParamKind::flag:
      if (p.required && !reader.has(p.key)) reader.fail(p.key, "is required: true or false");
      command.args[p.key] = reader.boolean_or(p.key, p.fallback != 0.0) ? 1.0 : 0.0;
      break;
    case ParamKind::word:
      command.words[p.key] = reader.choice(p.key, p.words);
      break;
  }
}
}  // namespace

Command parse_command(ObjectReader& reader) {
  Command command;
  command.name = reader.string("command");
  const CommandSpec* spec = find_command(command.name);
  if (spec == nullptr) {
    const std::string hint = closest_match(command.name, command_names());
    reader.fail("command", "unknown command \"" + command.name + "\"" +
                               (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
  }
  for (const Param& p : spec->params) read_param(reader, p, command);
  reader.finish();
  return command;
}

nlohmann::json execute_command(const Command& command, CommandTarget& target) {
  const CommandSpec* spec = find_command(command.name);
  if (spec == nullptr)
    return {{"ok", false}, {"error", "unknown command \"" + command.name + "\""}};
  spec->run(target, Args{command.args, command.words});
  if (command.name == "state") {
    nlohmann::json reply = state_json(target.device, target.comm, target.requests_served);
    reply["ok"] = true;
    return reply;
  }
  return {{"ok", true}, {"command", command.name}, {"t", target.device.time_s()}};
}

nlohmann::json run_command_json(const nlohmann::json& line, CommandTarget& target) {
  try {
    if (!line.is_object())
      return {{"ok", false}, {"error", "a command is a JSON object {\"command\": NAME, ...}"}};
    ObjectReader reader(line, "command");
    return execute_command(parse_command(reader), target);
  } catch (const ConfigError& e) {
    return {{"ok", false}, {"error", e.what()}};
  } catch (const nlohmann::json::exception& e) {
    return {{"ok", false}, {"error", e.what()}};
  }
}

nlohmann::json state_json(const SimDevice& device, const CommFaults& comm,
                          std::uint64_t requests_served) {
  const Drive& drive = device.drive();
  const bool table = device.kind() == DeviceKind::inversion;
  nlohmann::json s = {
      {"t", device.time_s()},
      {"kind", to_string(device.kind())},
      {"velocity", device.axis_velocity()},
      {"drive", cia402::to_string(drive.state())},
      {"status_word", drive.status_word()},
      {"fault_code", drive.fault_code()},
      {"stop_pressed", device.stop_pressed()},
      {"stop_connected", device.stop_connected()},
      {"watchdog_tripped", drive.watchdog_tripped()},
      {"watchdog_timeout_ms", drive.watchdog_timeout_ms()},
      {"target", drive.target()},
      {"velocity_limit", drive.velocity_limit()},
      {"powered", device.powered()},
      {"reported_actual", device.reported().axis},
      {"end_stop_low", device.end_stop_low()},
      {"end_stop_high", device.end_stop_high()},
      {"peak_velocity", device.peaks().velocity},
      {"peak_accel", device.peaks().accel},
      {"requests", requests_served},
      {"comm_silent", comm.silent(device.time_s())},
      {"exceptions_pending", comm.exceptions_left()},
      {"control_word", drive.control_word()},
      {"brake", drive.brake_engaged()},
      {"drive_reaction", to_string(drive.reaction())},
      {"watchdog_ignored", drive.watchdog_ignored()},
      {"stop_switch_wired", device.stop_switch_wired()},
  };
  if (table) {
    s["angle_deg"] = device.axis();
    s["traction_n"] = device.force_n();
    s["peak_angle_deg"] = device.peaks().axis;
  } else {
    s["force_n"] = device.axis();
    s["rope_position_mm"] = device.rope_position_mm();
    s["peak_force_n"] = device.peaks().axis;
  }
  return s;
}

}  // namespace traction::sim
