// SPDX-License-Identifier: Apache-2.0
#include "daemon/history/history_port.hpp"

#include <spdlog/spdlog.h>

#include "core/utc_time.hpp"

namespace traction::history {
namespace {

using nlohmann::json;

ApiError unavailable(const std::string& why) {
  return ApiError{reason::kHistoryUnavailable, "the session history is unavailable: " + why, {}};
}

CommandReply failed(ApiError error) {
  return CommandReply{std::move(error), json::object()};
}

std::optional<int> optional_score(const json& params, const char* key) {
  return params.contains(key) ? std::optional<int>(params[key].get<int>()) : std::nullopt;
}

// One history method on the query thread's store.
CommandReply answer(HistoryMethod method, const json& params, HistoryStore& store) {
  const std::string id = params.value("id", "");
  switch (method) {
    case HistoryMethod::list: {
      ListQuery query;
      if (params.contains("profile")) query.profile = params["profile"].get<std::string>();
      if (params.contains("since")) query.since = params["since"].get<std::string>();
      query.limit = params.value("limit", 50);
      return {std::nullopt, {{"sessions", store.list(query)}}};
    }
    case HistoryMethod::get: {
      auto session = store.get(id, params.value("samples", false));
      if (!session) {
        return failed({reason::kUnknownSession, "no session \"" + id + "\" in the history", {}});
      }
      return {std::nullopt, std::move(*session)};
    }
    case HistoryMethod::feedback: {
      Feedback feedback{optional_score(params, "comfort_before"),
                        optional_score(params, "comfort_after"), std::nullopt};
      if (params.contains("note")) feedback.note = params["note"].get<std::string>();
      if (!store.feedback(id, feedback)) {
        return failed({reason::kUnknownSession, "no session \"" + id + "\" in the history", {}});
      }
      auto session = store.get(id, false);
      return {std::nullopt,
              {{"id", id},
               {"comfort_before", (*session)["comfort_before"]},
               {"comfort_after", (*session)["comfort_after"]},
               {"note", (*session)["note"]}}};
    }
  }
  return failed(unavailable("unknown history method"));
}

}  // namespace

void RecordedControl::submit(ControlCommand command) {
  if (command.kind == CommandKind::start) {
    if (recorder_ == nullptr) {
      if (command.done) {
        command.done(failed(unavailable("the database could not be opened; see the log")));
      }
      return;
    }
    command.record_gate = recorder_;
  }
  inner_.submit(std::move(command));
}

bool HistoryProgression::past_sessions(const std::string& program, const std::string& profile,
                                       Then then) {
  auto shared_then = std::make_shared<Then>(std::move(then));
  return queries_.post([program, profile, shared_then](HistoryStore& store) {
    ProgressionHistory past;
    try {
      past.sessions = store.past_sessions(program, profile);
      past.now = std::chrono::system_clock::now();
    } catch (const std::exception& e) {
      (*shared_then)(unavailable(e.what()), {});
      return;
    }
    (*shared_then)(std::nullopt, std::move(past));
  });
}

void HistoryMethods::call(HistoryMethod method, const json& params, HistoryDone done) {
  if (queries_ == nullptr) {
    done(failed(unavailable("the database could not be opened; see the log")));
    return;
  }
  auto shared_done = std::make_shared<HistoryDone>(std::move(done));
  const bool queued = queries_->post([method, params, shared_done](HistoryStore& store) {
    CommandReply reply;
    try {
      reply = answer(method, params, store);
    } catch (const std::exception& e) {
      reply = failed(unavailable(e.what()));
    }
    (*shared_done)(std::move(reply));
  });
  if (!queued) (*shared_done)(failed(unavailable("too many history queries are pending")));
}

namespace {

// The self-tests the daemon starts from: the newest, and the newest that passed.
void read_selftests(const std::string& path, History& history) {
  try {
    HistoryStore store(path);
    if (auto last = store.last_selftest(false)) {
      if (auto ended = parse_utc(last->ended_utc))
        history.last_selftest = SelfTestSummary{*ended, last->passed, last->summary};
    }
    if (auto passed = store.last_selftest(true))
      history.last_passed_selftest = parse_utc(passed->ended_utc);
  } catch (const std::exception& e) {
    spdlog::error("history: the self-tests could not be read: {}", e.what());
  }
}

}  // namespace

History open_history(const std::string& state_dir) {
  const std::string path = state_dir + "/history.db";
  History history;
  auto recovered = recover_history(path);
  if (!recovered) {
    spdlog::error("history: {}; sessions are refused until it opens", recovered.status().message());
    return history;
  }
  if (*recovered > 0) {
    spdlog::warn("history: {} session(s) left open by an earlier run closed as interrupted",
                 *recovered);
  }
  auto recorder = SessionRecorder::open(path);
  auto queries = HistoryQueries::open(path);
  if (!recorder || !queries) {
    spdlog::error("history: {}; sessions are refused until it opens",
                  (!recorder ? recorder.status() : queries.status()).message());
    return history;
  }
  history.recorder = std::move(*recorder);
  history.queries = std::move(*queries);
  read_selftests(path, history);
  spdlog::info("history: {}", path);
  return history;
}

}  // namespace traction::history
