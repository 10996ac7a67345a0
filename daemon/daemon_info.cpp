// SPDX-License-Identifier: Apache-2.0
#include "daemon/daemon_info.hpp"

#include "daemon/protocol_version.hpp"

namespace traction {

nlohmann::json daemon_info(const DaemonFacts& f) {
  nlohmann::json capabilities = {"sessions",      "pause", "profiles", "limits",
                                 "subscriptions", "estop", "selftest"};
  if (f.history) {
    capabilities.push_back("history");
    capabilities.push_back("progression");
  }
  return {
      {"name", "tractiond"},
      {"version", TRACTION_VERSION},
      {"protocol_version", kProtocolVersion},
      {"device",
       {{"kind", to_string(f.kind)}, {"name", f.device_name}, {"unit", axis_unit(f.kind)}}},
      {"units",
       {{"axis", f.kind == DeviceKind::inversion ? "angle_deg" : "force_n"}, {"time", "seconds"}}},
      {"control_rate_hz", f.control_rate_hz},
      {"capabilities", std::move(capabilities)}};
}

}  // namespace traction
