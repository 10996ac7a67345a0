// SPDX-License-Identifier: Apache-2.0
// The ControlPort the server sees when the daemon keeps a history: the control loop's port with
// the history added. Session starts carry the recorder as their record gate (nothing moves until
// the session's row is committed); plans come with the program's progression derived from the
// history; history.list, history.get and session.feedback run on the query thread.
#pragma once

#include <memory>

#include "daemon/control_api.hpp"
#include "daemon/history/history_queries.hpp"
#include "daemon/history/session_recorder.hpp"

namespace traction::history {

class HistoryPort final : public ControlPort {
 public:
  // `recorder` and `queries` may be null when the database could not be opened: then sessions are
  // refused with history_unavailable and plans carry no progression history. All must outlive
  // the port.
  HistoryPort(ControlPort& inner, SessionRecorder* recorder, HistoryQueries* queries);

  void submit(ControlCommand command) override;
  StatusSnapshot snapshot() const override { return inner_.snapshot(); }
  std::vector<Event> events_after(std::uint64_t after) const override {
    return inner_.events_after(after);
  }
  nlohmann::json daemon_info() const override;
  nlohmann::json program_list() const override { return inner_.program_list(); }
  std::optional<ApiError> program_get(const std::string& name, nlohmann::json& out) const override {
    return inner_.program_get(name, out);
  }
  nlohmann::json profile_list() const override { return inner_.profile_list(); }
  std::optional<ApiError> profile_get(const std::string& name, nlohmann::json& out) const override {
    return inner_.profile_get(name, out);
  }
  std::optional<ApiError> limits_get(const std::string& profile,
                                     nlohmann::json& out) const override {
    return inner_.limits_get(profile, out);
  }
  std::optional<ApiError> make_plan(const nlohmann::json& params,
                                    std::shared_ptr<const Plan>& plan) const override {
    return inner_.make_plan(params, plan);
  }
  std::optional<ApiError> make_plan_after(const nlohmann::json& params,
                                          const ProgressionHistory& history,
                                          std::shared_ptr<const Plan>& plan) const override {
    return inner_.make_plan_after(params, history, plan);
  }
  void plan_session(const nlohmann::json& params, PlanDone done) const override;
  void history_call(HistoryMethod method, const nlohmann::json& params, HistoryDone done) override;

 private:
  ControlPort& inner_;
  SessionRecorder* recorder_;
  HistoryQueries* queries_;
};

// The daemon's history, opened at start-up: sessions a crash left open are closed as interrupted,
// then the recorder and the query thread open their connections to `state_dir`/history.db. A
// member is null when the database cannot be opened (the reason is logged).
struct History {
  std::unique_ptr<SessionRecorder> recorder;
  std::unique_ptr<HistoryQueries> queries;
};
History open_history(const std::string& state_dir);

}  // namespace traction::history
