// SPDX-License-Identifier: Apache-2.0
#include "simulator/control/commands.hpp"

#include <functional>

#include "core/text_match.hpp"

namespace traction::sim {

namespace {

struct Param {
  const char* key;
  double min;
  double max;
  bool required;
  double fallback;
};

using Args = std::map<std::string, double>;

struct CommandSpec {
  const char* name;
  std::vector<Param> params;
  std::function<void(CommandTarget&, const Args&)> run;
};

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

Command parse_command(ObjectReader& reader) {
  Command command;
  command.name = reader.string("command");
  const CommandSpec* spec = find_command(command.name);
  if (spec == nullptr) {
    const std::string hint = closest_match(command.name, command_names());
    reader.fail("command", "unknown command \"" + command.name + "\"" +
                               (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
  }
  for (const Param& p : spec->params) {
    command.args[p.key] = p.required ? reader.number(p.key, p.min, p.max)
                                     : reader.number_or(p.key, p.fallback, p.min, p.max);
  }
  reader.finish();
  return command;
}

nlohmann::json execute_command(const Command& command, CommandTarget& target) {
  const CommandSpec* spec = find_command(command.name);
  if (spec == nullptr)
    return {{"ok", false}, {"error", "unknown command \"" + command.name + "\""}};
  spec->run(target, command.args);
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
