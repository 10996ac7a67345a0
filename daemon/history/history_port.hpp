// SPDX-License-Identifier: Apache-2.0
// The history's side of the control socket: the record gate on session starts, the history
// methods, and the earlier sessions that a program's progression needs.
#pragma once

#include <memory>

#include "daemon/catalog_service.hpp"
#include "daemon/control_api.hpp"
#include "daemon/history/history_queries.hpp"
#include "daemon/history/session_recorder.hpp"

namespace traction::history {

// The control thread's port with the history's record gate: a session start carries the
// recorder, so nothing moves until the session's row is committed; without a recorder (the
// database could not be opened) sessions are refused with history_unavailable.
class RecordedControl final : public ControlPort {
 public:
  // `recorder` may be null; both must outlive this.
  RecordedControl(ControlPort& inner, SessionRecorder* recorder)
      : inner_(inner), recorder_(recorder) {}
  void submit(ControlCommand command) override;
  StatusSnapshot snapshot() const override { return inner_.snapshot(); }
  std::vector<Event> events_after(std::uint64_t after) const override {
    return inner_.events_after(after);
  }

 private:
  ControlPort& inner_;
  SessionRecorder* recorder_;
};

// history.list, history.get and session.feedback on the query thread.
class HistoryMethods final : public HistoryPort {
 public:
  // `queries` may be null (history_unavailable); it must outlive this.
  explicit HistoryMethods(HistoryQueries* queries) : queries_(queries) {}
  void call(HistoryMethod method, const nlohmann::json& params, HistoryDone done) override;

 private:
  HistoryQueries* queries_;
};

// A program's earlier sessions for its progression, read on the query thread.
class HistoryProgression final : public ProgressionSource {
 public:
  explicit HistoryProgression(HistoryQueries& queries) : queries_(queries) {}
  bool past_sessions(const std::string& program, const std::string& profile, Then then) override;

 private:
  HistoryQueries& queries_;
};

// The daemon's history, opened at start-up: sessions a crash left open are closed as interrupted,
// then the recorder and the query thread open their connections to `state_dir`/history.db. A
// member is null when the database cannot be opened (the reason is logged).
struct History {
  std::unique_ptr<SessionRecorder> recorder;
  std::unique_ptr<HistoryQueries> queries;
  // The newest self-test, and the newest that passed (for require_selftest_days).
  std::optional<SelfTestSummary> last_selftest;
  std::optional<std::chrono::system_clock::time_point> last_passed_selftest;
};
History open_history(const std::string& state_dir);

}  // namespace traction::history
