// SPDX-License-Identifier: Apache-2.0
// A test double of the daemon's ports for the server's tests: records every command, answers them
// from its own "control thread" (as the daemon does, so replies cross threads), and lets a test
// publish snapshots and events. Its small catalog knows one program and one profile, and plans on
// that same thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "core/utc_time.hpp"
#include "daemon/control_api.hpp"
#include "daemon/engine/plan.hpp"

namespace traction::testing {

struct RecordedCommand {
  CommandKind kind;
  std::string requested_by;
  std::string program;       // start only
  bool record_gate = false;  // start only: the command carried a history record gate
};

class RecordingPort : public ControlPort, public CatalogPort {
 public:
  RecordingPort() : worker_([this] { work(); }) {}
  ~RecordingPort() override {
    {
      std::lock_guard lock(mutex_);
      quit_ = true;
    }
    wake_.notify_all();
    worker_.join();
  }

  void submit(ControlCommand command) override {
    {
      std::lock_guard lock(mutex_);
      recorded_.push_back({command.kind, command.requested_by,
                           command.plan ? command.plan->program : std::string(),
                           command.record_gate != nullptr});
      inbox_.push_back(std::move(command));
    }
    wake_.notify_all();
  }
  StatusSnapshot snapshot() const override {
    std::lock_guard lock(mutex_);
    return snapshot_;
  }
  std::vector<Event> events_after(std::uint64_t after) const override {
    std::lock_guard lock(mutex_);
    std::vector<Event> out;
    for (const auto& event : events_) {
      if (event.seq > after) out.push_back(event);
    }
    return out;
  }
  // The ports a ControlServer serves from (no history).
  DaemonPorts ports() {
    return DaemonPorts{*this,
                       *this,
                       nullptr,
                       {{"version", "test"}, {"device", {{"kind", "inversion"}, {"unit", "deg"}}}}};
  }
  nlohmann::json program_list() const override {
    return nlohmann::json::array({{{"name", "quick-check"}, {"total_seconds", 15.0}}});
  }
  std::optional<ApiError> program_get(const std::string& name, nlohmann::json& out) const override {
    if (name != "quick-check") return ApiError{reason::kUnknownProgram, "no program " + name};
    out = {{"name", name}, {"phases", nlohmann::json::array()}};
    return std::nullopt;
  }
  nlohmann::json profile_list() const override {
    return nlohmann::json::array({{{"name", "beginner"}}});
  }
  std::optional<ApiError> profile_get(const std::string& name, nlohmann::json& out) const override {
    if (name != "beginner") return ApiError{reason::kUnknownProfile, "no profile " + name};
    out = {{"name", name}};
    return std::nullopt;
  }
  std::optional<ApiError> limits_get(const std::string& profile,
                                     nlohmann::json& out) const override {
    if (!profile.empty() && profile != "beginner") {
      return ApiError{reason::kUnknownProfile, "no profile " + profile};
    }
    out = {{"max_target", 60.0}, {"profile", profile}};
    return std::nullopt;
  }
  // quick-check is valid; too-far breaks a limit; any other name is unknown; a definition
  // without phases is invalid.
  void plan(PlanRequest request, PlanDone done) override {
    {
      std::lock_guard lock(mutex_);
      plans_.push_back([this, request = std::move(request), done = std::move(done)] {
        std::shared_ptr<const Plan> plan;
        auto error = make_plan(request, plan);
        done(std::move(error), std::move(plan));
      });
    }
    wake_.notify_all();
  }
  std::optional<ApiError> make_plan(const PlanRequest& request,
                                    std::shared_ptr<const Plan>& plan) const {
    const std::string& profile = request.profile;
    if (!profile.empty() && profile != "beginner") {
      return ApiError{reason::kUnknownProfile, "no profile " + profile};
    }
    if (request.definition) {
      if (!request.definition->contains("phases")) {
        return ApiError{reason::kInvalidProgram,
                        "definition has no phases",
                        {{"violations", {"/phases: is required but missing"}}}};
      }
    } else {
      const std::string& name = request.program;
      if (name == "too-far") {
        return ApiError{
            reason::kLimitExceeded,
            "the program goes past the limits",
            {{"violations", {"phase 2 target 80 deg > max 60 deg", "hold 300 s > max 120 s"}}}};
      }
      if (name != "quick-check") return ApiError{reason::kUnknownProgram, "no program " + name};
    }
    auto made = std::make_shared<Plan>();
    made->program = request.definition ? "inline" : request.program;
    made->profile = profile;
    made->total_seconds = 15.0;
    plan = made;
    return std::nullopt;
  }

  // Test controls.
  void set_reply(CommandKind kind, CommandReply reply) {
    std::lock_guard lock(mutex_);
    replies_[kind] = std::move(reply);
  }
  // While held, commands are recorded but not answered (a busy control thread).
  void hold(bool held) {
    {
      std::lock_guard lock(mutex_);
      held_ = held;
    }
    wake_.notify_all();
  }
  void publish(StatusSnapshot snapshot) {
    std::lock_guard lock(mutex_);
    snapshot.last_event_seq = snapshot_.last_event_seq;
    snapshot_ = std::move(snapshot);
  }
  // Events for tests: a phase change to `index`, a state change with a `reason`.
  static Event phase_event(int index) {
    Event e;
    e.kind = EventKind::phase_changed;
    e.phase_index = index;
    e.phase_kind = "hold";
    return e;
  }
  static Event state_event(std::string reason) {
    Event e;
    e.kind = EventKind::state_changed;
    e.reason = std::move(reason);
    return e;
  }
  // Publishes `event` as the next one (its seq and time are set here).
  std::uint64_t publish_event(Event event) {
    std::lock_guard lock(mutex_);
    event.seq = ++last_seq_;
    event.time = SystemTime{} + std::chrono::seconds(1767225600);  // 2026-01-01T00:00:00Z
    events_.push_back(event);
    snapshot_.last_event_seq = event.seq;
    return event.seq;
  }
  std::vector<RecordedCommand> commands() const {
    std::lock_guard lock(mutex_);
    return recorded_;
  }

 private:
  void work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return quit_ || !plans_.empty() || (!held_ && !inbox_.empty()); });
      if (quit_) return;
      if (!plans_.empty()) {
        auto job = std::move(plans_.front());
        plans_.pop_front();
        lock.unlock();
        job();
        lock.lock();
        continue;
      }
      ControlCommand command = std::move(inbox_.front());
      inbox_.pop_front();
      CommandReply reply;
      if (auto it = replies_.find(command.kind); it != replies_.end()) reply = it->second;
      lock.unlock();
      command.done(std::move(reply));
      lock.lock();
    }
  }

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<ControlCommand> inbox_;
  std::deque<std::function<void()>> plans_;
  std::vector<RecordedCommand> recorded_;
  std::map<CommandKind, CommandReply> replies_;
  StatusSnapshot snapshot_;
  std::vector<Event> events_;
  std::uint64_t last_seq_ = 0;
  bool held_ = false;
  bool quit_ = false;
  std::thread worker_;
};

}  // namespace traction::testing
