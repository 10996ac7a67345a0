// SPDX-License-Identifier: Apache-2.0
// Fixtures shared by the engine and history tests: catalogs of the shipped device files with the
// built-in programs, limits shaped like the simulator's table, and a command sent to a controller
// as the server would send it.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "daemon/engine/catalog.hpp"
#include "daemon/engine/session_controller.hpp"
#include "drivers/device_file.hpp"

namespace traction::engine_test {

// The catalog config of a device file in config/devices/ with the built-in programs.
inline CatalogConfig sim_catalog_config(const std::string& device_file,
                                        nlohmann::json profiles = nlohmann::json::array(),
                                        nlohmann::json site = nlohmann::json::object(),
                                        const std::string& config_source = "tractiond.json") {
  const std::string root = TRACTION_SOURCE_DIR;
  auto device = load_device_file(root + "/config/devices/" + device_file);
  EXPECT_TRUE(device.ok()) << device.status().message();
  CatalogConfig c;
  if (device.ok()) {
    c.kind = device->kind;
    c.device_limits = device->limits;
    c.device_source = device->source;
  }
  c.site_limits = std::move(site);
  c.site_source = config_source;
  c.profiles = std::move(profiles);
  c.profiles_source = config_source;
  c.program_dirs = {root + "/config/programs"};
  return c;
}

// The catalog of a simulator device file (config/devices/sim-<kind>.json) with the built-in
// programs, the given profiles and site limits.
inline std::shared_ptr<const Catalog> sim_catalog(DeviceKind kind,
                                                  nlohmann::json profiles = nlohmann::json::array(),
                                                  nlohmann::json site = nlohmann::json::object()) {
  auto catalog = Catalog::load(sim_catalog_config("sim-" + std::string(to_string(kind)) + ".json",
                                                  std::move(profiles), std::move(site)));
  EXPECT_TRUE(catalog.ok()) << catalog.status().message();
  return catalog.ok() ? *catalog : nullptr;
}

// The plan for `params` ({"program": ...} or {"definition": ...}), or null with a test failure.
inline std::shared_ptr<const Plan> plan_for(const Catalog& catalog, const nlohmann::json& params) {
  std::shared_ptr<const Plan> plan;
  const auto error = catalog.make_plan(plan_request(params), plan);
  EXPECT_FALSE(error) << params.dump() << ": " << (error ? error->message : "");
  return plan;
}

// Limits shaped like the simulator's table (config/devices/sim-inversion.json).
inline EffectiveLimits table_limits() {
  EffectiveLimits l;
  l.min_target = -20;
  l.max_target = 60;
  l.home = 0;
  l.max_rate_up = 10;
  l.max_rate_down = 12;
  l.max_accel = 20;
  l.max_jerk = 80;
  l.tolerance = 1.5;
  l.max_hold_seconds = 120;
  l.hold_cap_above = 30;
  l.max_session_seconds = 1200;
  l.max_pause_seconds = 120;
  l.release_rate_stop = 6;
  l.release_rate_patient = 10;
  l.release_rate_fault = 12;
  return l;
}

// Sends a command as the server would and returns the reply.
// The two clocks of simulated second `t`: steady time, and UTC from 2026-12-01T00:00:00Z on.
inline Tick sim_tick(double t) {
  Tick tick;
  tick.now = Clock::time_point{} +
             std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(t));
  tick.utc = SystemTime{} + std::chrono::seconds(1796083200) +
             std::chrono::duration_cast<SystemTime::duration>(std::chrono::duration<double>(t));
  return tick;
}

inline CommandReply send_command(SessionController& controller, CommandKind kind,
                                 std::shared_ptr<const Plan> plan, const Tick& now) {
  CommandReply reply;
  ControlCommand c;
  c.kind = kind;
  c.plan = std::move(plan);
  c.requested_by = "test";
  c.done = [&reply](CommandReply r) { reply = std::move(r); };
  controller.handle(std::move(c), now);
  return reply;
}

}  // namespace traction::engine_test
