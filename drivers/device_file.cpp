// SPDX-License-Identifier: Apache-2.0
#include "drivers/device_file.hpp"

namespace traction {

Result<DeviceFile> parse_device_file(const nlohmann::json& json, const std::string& source) {
  return parse_config<DeviceFile>([&] {
    ObjectReader root(json, source);
    DeviceFile file;
    file.source = source;
    file.name = root.string("name");
    file.kind = root.choice("kind", {"inversion", "traction"}) == "inversion"
                    ? DeviceKind::inversion
                    : DeviceKind::traction;
    file.limits = root.raw("limits");
    if (!file.limits.is_object()) root.fail("limits", "must be an object");
    if (auto wd = root.optional_object("watchdog")) {
      file.watchdog.timeout_ms = static_cast<int>(wd->integer_or("timeout_ms", 500, 50, 60000));
      file.watchdog.external_hardware = wd->boolean_or("external_hardware", false);
      if (wd->has("fault_code"))
        file.watchdog.fault_code =
            static_cast<std::uint16_t>(wd->integer_or("fault_code", 0, 1, 65535));
      wd->finish();
    }
    if (auto re = root.optional_object("reactions")) {
      file.reactions.quick_stop_goes_home =
          re->choice_or("quick_stop", "hold", {"hold", "home"}) == "home";
      re->finish();
    }
    if (auto tr = root.optional_object("transport")) {
      file.timeouts.response_timeout_ms =
          static_cast<int>(tr->integer_or("response_timeout_ms", 100, 5, 5000));
      file.timeouts.byte_timeout_ms =
          static_cast<int>(tr->integer_or("byte_timeout_ms", 20, 1, 1000));
      tr->finish();
    }
    ObjectReader regs = root.object("registers");
    file.registers = RegisterMap::parse(regs);
    root.finish();
    if (!file.watchdog.external_hardware && file.registers.find("watchdog_timeout") == nullptr) {
      throw ConfigError(
          source +
          ": at /registers: no \"watchdog_timeout\" signal and no "
          "\"watchdog\": {\"external_hardware\": true}; the drive's communication-loss "
          "watchdog must be armable");
    }
    return file;
  });
}

Result<DeviceFile> load_device_file(const std::string& path) {
  try {
    return parse_device_file(load_json_file(path), path);
  } catch (const ConfigError& e) {
    return Result<DeviceFile>(Errc::config, e.what());
  }
}

}  // namespace traction
