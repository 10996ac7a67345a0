// SPDX-License-Identifier: Apache-2.0
// Shared pieces of the history tests: a temporary directory, a small plan, and snapshots of a
// session as the control loop would publish them, on a simulated device clock.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/utc_time.hpp"
#include "daemon/control_api.hpp"
#include "daemon/engine/plan.hpp"

namespace traction::history::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "traction-hist-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data()) != nullptr ? pattern : "";
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }
  std::string db() const { return path_ + "/history.db"; }

 private:
  std::string path_;
};

// Ramp to 20 deg, hold 20 s, release: home 0, tolerance 1.
inline std::shared_ptr<const Plan> small_plan(const std::string& program = "quick") {
  auto plan = std::make_shared<Plan>();
  plan->program = program;
  plan->limits.home = 0.0;
  plan->limits.tolerance = 1.0;
  plan->limits.max_target = 60.0;
  plan->phases = {Phase{PhaseKind::ramp, 20.0, 5.0, 0.0, false, 0, "ramp"},
                  Phase{PhaseKind::hold, 20.0, 0.0, 20.0, false, 0, "hold"},
                  Phase{PhaseKind::release, 0.0, 5.0, 0.0, false, 0, "release"}};
  plan->total_seconds = 28.0;
  return plan;
}

// A running session's snapshot at device time `stamp`, `elapsed` seconds in.
inline StatusSnapshot running(const std::string& id, const std::shared_ptr<const Plan>& plan,
                              Clock::time_point stamp, double elapsed, int phase, double actual) {
  StatusSnapshot s;
  s.state = DaemonState::running;
  s.device.stamp = stamp;
  s.device.actual = actual;
  s.device.velocity = 0.0;
  s.setpoint = actual;
  SessionProgress p;
  p.id = id;
  p.program = plan->program;
  p.phase_index = phase;
  p.elapsed_seconds = elapsed;
  p.plan = plan;
  s.session = p;
  return s;
}

// A typed event as the controller emits it, from the fields its JSON detail would carry.
inline Event event(std::uint64_t seq, const std::string& kind, const nlohmann::json& detail,
                   const std::string& time_utc = "2026-03-01T10:00:00.000Z") {
  Event e;
  e.seq = seq;
  e.time = parse_utc(time_utc).value();
  e.session_id = detail.value("id", "");
  e.program = detail.value("program", "");
  e.profile = detail.value("profile", "");
  e.reason = detail.value("reason", "");
  if (kind == "session_started") {
    e.kind = EventKind::session_started;
    e.value = detail.value("total_seconds", 0.0);
  } else if (kind == "session_ended") {
    e.kind = EventKind::session_ended;
    e.value = detail.value("peak", 0.0);
    for (Outcome o : {Outcome::completed, Outcome::stopped, Outcome::stop_switch, Outcome::estopped,
                      Outcome::faulted, Outcome::interrupted}) {
      if (detail.value("outcome", "") == to_string(o)) e.outcome = o;
    }
  } else {
    ADD_FAILURE() << "history tests build session_started and session_ended events only: " << kind;
  }
  return e;
}

}  // namespace traction::history::testing
