// SPDX-License-Identifier: Apache-2.0
#include "daemon/history/history_store.hpp"

#include <cmath>

#include "core/utc_time.hpp"
#include "daemon/engine/home.hpp"
#include "daemon/history/migrations.hpp"

namespace traction::history {
namespace {

using nlohmann::json;

// The session columns every answer carries, in session_json()'s order.
constexpr const char* kSessionColumns =
    "id, profile, program, started_utc, ended_utc, outcome, reason, peak, mean, time_at_target_s, "
    "duration_s, comfort_before, comfort_after, note, json_extract(plan_json, '$.unit')";
constexpr int kSessionColumnCount = 15;

json optional_json(const std::optional<double>& v) {
  return v ? json(*v) : json(nullptr);
}
json optional_json(const std::optional<std::int64_t>& v) {
  return v ? json(*v) : json(nullptr);
}
json optional_json(const std::optional<std::string>& v) {
  return v ? json(*v) : json(nullptr);
}

// Three decimals are finer than any reading: keeps long sessions' samples compact.
double rounded(double v) {
  return std::round(v * 1000.0) / 1000.0;
}

Outcome outcome_of(const std::string& text) {
  for (Outcome o : {Outcome::completed, Outcome::stopped, Outcome::stop_switch, Outcome::estopped,
                    Outcome::faulted, Outcome::interrupted}) {
    if (text == to_string(o)) return o;
  }
  return Outcome::interrupted;
}

// What a session's samples say: peak (farthest from home), mean and time at target over the
// samples taken while it ran, and the time of the last sample of all.
struct Figures {
  std::optional<double> peak;
  std::optional<double> mean;
  double time_at_target_s = 0.0;
  std::optional<double> last_t;
};

Figures figures_of(Database& db, const std::string& id) {
  Statement plan_row = db.prepare("SELECT plan_json FROM sessions WHERE id = ?");
  plan_row.bind(1, id);
  const json plan = plan_row.step() ? json::parse(plan_row.text(0), nullptr, false) : json();
  const json limits = plan.is_object() ? plan.value("limits", json::object()) : json::object();
  const double home = limits.value("home", 0.0);
  const double tolerance = limits.value("tolerance", 0.0);
  const json phases = plan.is_object() ? plan.value("phases", json::array()) : json::array();

  Figures f;
  double sum = 0.0;
  std::size_t count = 0;
  Statement s =
      db.prepare("SELECT t_s, actual, phase FROM samples WHERE session_id = ? ORDER BY t_s");
  s.bind(1, id);
  while (s.step()) {
    const double t = s.real(0);
    const double actual = s.real(1);
    f.last_t = std::max(f.last_t.value_or(t), t);
    const auto phase = s.optional_integer(2);
    if (!phase) continue;  // the release after the end
    sum += actual;
    ++count;
    if (!f.peak || further_from_home(actual, *f.peak, home)) f.peak = actual;
    const auto index = static_cast<std::size_t>(*phase);
    if (phases.is_array() && index < phases.size() && phases[index].value("kind", "") == "hold" &&
        std::abs(actual - phases[index].value("target", home)) <= tolerance) {
      f.time_at_target_s += kSampleSeconds;
    }
  }
  if (count > 0) f.mean = sum / static_cast<double>(count);
  return f;
}

}  // namespace

HistoryStore::HistoryStore(const std::string& path) : db_(path, true) {
  migrate(db_);
}

void HistoryStore::begin_session(const SessionBegin& session) {
  Statement s = db_.prepare(
      "INSERT INTO sessions (id, profile, program, plan_json, limits_json, started_utc, "
      "progression_json) VALUES (?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, session.id).bind(2, session.profile).bind(3, session.program);
  s.bind(4, session.plan.dump()).bind(5, session.limits.dump()).bind(6, session.started_utc);
  if (session.progression.is_null()) {
    s.bind_null(7);
  } else {
    s.bind(7, session.progression.dump());
  }
  s.run();
}

void HistoryStore::add_event(const EventRecord& event) {
  Statement s = db_.prepare(
      "INSERT INTO events (session_id, time_utc, kind, detail_json) VALUES (?, ?, ?, ?)");
  s.bind(1, event.session_id).bind(2, event.time_utc).bind(3, event.kind);
  s.bind(4, event.detail.dump()).run();
}

void HistoryStore::add_sample(const SampleRecord& sample) {
  Statement s = db_.prepare(
      "INSERT INTO samples (session_id, t_s, target, actual, velocity, phase) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  s.bind(1, sample.session_id).bind(2, sample.t_s).bind(3, sample.target).bind(4, sample.actual);
  s.bind(5, sample.velocity).bind(6, sample.phase).run();
}

void HistoryStore::end_session(const SessionEnd& end) {
  Figures f = figures_of(db_, end.id);
  Statement limits_row = db_.prepare(
      "SELECT started_utc, json_extract(limits_json, '$.home') FROM sessions WHERE id = ?");
  limits_row.bind(1, end.id);
  if (!limits_row.step()) return;  // no such session: nothing to close
  const auto started = parse_utc(limits_row.text(0));
  const double home = limits_row.optional_real(1).value_or(0.0);
  if (end.peak && (!f.peak || further_from_home(*end.peak, *f.peak, home))) {
    f.peak = end.peak;
  }
  const auto ended = parse_utc(end.ended_utc);
  std::optional<double> duration;
  if (started && ended) duration = std::chrono::duration<double>(*ended - *started).count();
  Statement s = db_.prepare(
      "UPDATE sessions SET ended_utc = ?, outcome = ?, reason = ?, peak = ?, mean = ?, "
      "time_at_target_s = ?, duration_s = ? WHERE id = ?");
  s.bind(1, end.ended_utc).bind(2, end.outcome).bind(3, end.reason).bind(4, f.peak);
  s.bind(5, f.mean).bind(6, rounded(f.time_at_target_s)).bind(7, duration).bind(8, end.id).run();
}

int HistoryStore::close_unfinished() {
  int closed = 0;
  db_.transaction([&] {
    std::vector<std::pair<std::string, std::string>> open;
    Statement s = db_.prepare("SELECT id, started_utc FROM sessions WHERE ended_utc IS NULL");
    while (s.step()) open.emplace_back(s.text(0), s.text(1));
    for (const auto& [id, started_utc] : open) {
      const Figures f = figures_of(db_, id);
      const auto started = parse_utc(started_utc);
      const std::string ended_utc =
          started ? format_utc(*started + std::chrono::duration_cast<std::chrono::milliseconds>(
                                              std::chrono::duration<double>(f.last_t.value_or(0))))
                  : started_utc;
      const std::string why =
          "tractiond stopped during the session; closed at start-up at its last sample";
      add_event({id,
                 ended_utc,
                 "session_ended",
                 {{"id", id}, {"outcome", "interrupted"}, {"reason", why}, {"recovered", true}}});
      end_session({id, ended_utc, to_string(Outcome::interrupted), why, std::nullopt});
      ++closed;
    }
  });
  return closed;
}

json HistoryStore::session_json(Statement& row) {
  return {{"id", row.text(0)},
          {"profile", row.text(1)},
          {"program", row.text(2)},
          {"started_utc", row.text(3)},
          {"ended_utc", optional_json(row.optional_text(4))},
          {"outcome", optional_json(row.optional_text(5))},
          {"reason", optional_json(row.optional_text(6))},
          {"peak", optional_json(row.optional_real(7))},
          {"mean", optional_json(row.optional_real(8))},
          {"time_at_target_seconds", optional_json(row.optional_real(9))},
          {"duration_seconds", optional_json(row.optional_real(10))},
          {"comfort_before", optional_json(row.optional_integer(11))},
          {"comfort_after", optional_json(row.optional_integer(12))},
          {"note", optional_json(row.optional_text(13))},
          {"unit", optional_json(row.optional_text(14))}};
}

json HistoryStore::list(const ListQuery& query) {
  Statement s = db_.prepare(std::string("SELECT ") + kSessionColumns +
                            " FROM sessions WHERE (?1 IS NULL OR profile = ?1) AND "
                            "(?2 IS NULL OR started_utc >= ?2) ORDER BY started_utc DESC LIMIT ?3");
  s.bind(1, query.profile).bind(2, query.since).bind(3, query.limit);
  json out = json::array();
  while (s.step()) out.push_back(session_json(s));
  return out;
}

json HistoryStore::events_json(const std::string& id) {
  Statement s = db_.prepare(
      "SELECT time_utc, kind, detail_json FROM events WHERE session_id = ? ORDER BY id");
  s.bind(1, id);
  json out = json::array();
  while (s.step()) {
    out.push_back({{"time_utc", s.text(0)},
                   {"kind", s.text(1)},
                   {"detail", json::parse(s.text(2), nullptr, false)}});
  }
  return out;
}

json HistoryStore::samples_json(const std::string& id) {
  Statement s = db_.prepare(
      "SELECT t_s, target, actual, velocity, phase FROM samples WHERE session_id = ? ORDER BY t_s");
  s.bind(1, id);
  json rows = json::array();
  while (s.step()) {
    const auto velocity = s.optional_real(3);
    rows.push_back({rounded(s.real(0)), rounded(s.real(1)), rounded(s.real(2)),
                    velocity ? json(rounded(*velocity)) : json(nullptr),
                    optional_json(s.optional_integer(4))});
  }
  return {{"columns", {"t_s", "target", "actual", "velocity", "phase"}}, {"rows", std::move(rows)}};
}

std::optional<json> HistoryStore::get(const std::string& id, bool with_samples) {
  Statement s =
      db_.prepare(std::string("SELECT ") + kSessionColumns +
                  ", plan_json, limits_json, progression_json FROM sessions WHERE id = ?");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  json out = session_json(s);
  out["plan"] = json::parse(s.text(kSessionColumnCount), nullptr, false);
  out["limits"] = json::parse(s.text(kSessionColumnCount + 1), nullptr, false);
  const auto progression = s.optional_text(kSessionColumnCount + 2);
  out["progression"] = progression ? json::parse(*progression, nullptr, false) : json(nullptr);
  out["events"] = events_json(id);
  if (with_samples) out["samples"] = samples_json(id);
  return out;
}

bool HistoryStore::feedback(const std::string& id, const Feedback& feedback) {
  Statement s = db_.prepare(
      "UPDATE sessions SET comfort_before = coalesce(?, comfort_before), "
      "comfort_after = coalesce(?, comfort_after), note = coalesce(?, note) WHERE id = ?");
  s.bind(1, feedback.comfort_before).bind(2, feedback.comfort_after).bind(3, feedback.note);
  s.bind(4, id).run();
  return db_.changes() > 0;
}

std::vector<PastSession> HistoryStore::past_sessions(const std::string& program,
                                                     const std::string& profile) {
  Statement s = db_.prepare(
      "SELECT id, started_utc, outcome, comfort_before, comfort_after FROM sessions "
      "WHERE program = ? AND profile = ? AND ended_utc IS NOT NULL ORDER BY started_utc, id");
  s.bind(1, program).bind(2, profile);
  std::vector<PastSession> out;
  while (s.step()) {
    PastSession past;
    past.id = s.text(0);
    past.started = parse_utc(s.text(1)).value_or(SystemTime{});
    past.outcome = outcome_of(s.text(2));
    if (auto v = s.optional_integer(3)) past.comfort_before = static_cast<int>(*v);
    if (auto v = s.optional_integer(4)) past.comfort_after = static_cast<int>(*v);
    out.push_back(std::move(past));
  }
  return out;
}

Result<int> recover_history(const std::string& path) {
  try {
    HistoryStore store(path);
    return store.close_unfinished();
  } catch (const std::exception& e) {
    return Result<int>(Errc::state, e.what());
  }
}

}  // namespace traction::history
