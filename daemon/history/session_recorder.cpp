// SPDX-License-Identifier: Apache-2.0
#include "daemon/history/session_recorder.hpp"

#include <spdlog/spdlog.h>

#include <cmath>

#include "core/utc_time.hpp"
#include "daemon/engine/event_json.hpp"
#include "daemon/engine/plan.hpp"

namespace traction::history {
namespace {

// Grace after a session ends in which samples go on even before the release moves (an estop
// starts its release from rest).
constexpr double kEndGraceSeconds = 2.0;
// Below this speed (units/s) a device after the grace is taken as released.
constexpr double kMovingSpeed = 0.05;

double seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

Result<std::unique_ptr<SessionRecorder>> SessionRecorder::open(const std::string& path,
                                                               RecorderOptions options) {
  try {
    auto store = std::make_unique<HistoryStore>(path);
    return std::unique_ptr<SessionRecorder>(new SessionRecorder(std::move(store), options));
  } catch (const std::exception& e) {
    return Result<std::unique_ptr<SessionRecorder>>(Errc::state, e.what());
  }
}

SessionRecorder::SessionRecorder(std::unique_ptr<HistoryStore> store, RecorderOptions options)
    : options_(options), store_(std::move(store)), writer_([this] { writer_loop(); }) {}

SessionRecorder::~SessionRecorder() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  writer_.join();
}

void SessionRecorder::on_cycle(const StatusSnapshot& snapshot, const std::vector<Event>& events) {
  for (const Event& event : events) {
    if (event.kind == EventKind::session_started) begin(snapshot, event);
    EventRecord record{std::nullopt, format_utc(event.time), to_string(event.kind),
                       event_detail(event)};
    if (recording_) record.session_id = recording_->id;
    push(Item{std::move(record), 0});
    if (event.kind == EventKind::session_ended && recording_ && !recording_->ended_at &&
        event.session_id == recording_->id) {
      SessionEnd end{recording_->id, format_utc(event.time), to_string(event.outcome), event.reason,
                     event.value};
      push(Item{std::move(end), 0});
      recording_->ended_at = snapshot.device.stamp;
    }
    if (event.kind == EventKind::selftest_ended) {
      SelfTestRow row{format_utc(event.time), event.data.value("passed", false), event.reason,
                      event.data.value("seconds", 0.0),
                      event.data.value("steps", nlohmann::json::array())};
      push(Item{std::move(row), 0});
    }
  }
  sample(snapshot);
}

void SessionRecorder::begin(const StatusSnapshot& snapshot, const Event& started) {
  Recording r;
  r.id = started.session_id;
  r.seq = ++next_seq_;
  SessionBegin row{r.id,
                   started.program,
                   started.profile,
                   format_utc(started.time),
                   nlohmann::json::object(),
                   nlohmann::json::object(),
                   nullptr};
  double elapsed = 0.0;
  if (snapshot.session && snapshot.session->id == r.id) {
    elapsed = snapshot.session->elapsed_seconds;
    if (const auto& plan = snapshot.session->plan) {
      row.plan = plan->to_json();
      row.limits = plan->limits.to_json();
      row.progression = plan->progression;
    }
  }
  r.t0 = snapshot.device.stamp -
         std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(elapsed));
  recording_ = std::move(r);
  push(Item{std::move(row), recording_->seq});
}

void SessionRecorder::sample(const StatusSnapshot& snapshot) {
  if (!recording_) return;
  Recording& r = *recording_;
  const bool running = snapshot.session && snapshot.session->id == r.id;
  const Clock::time_point stamp = snapshot.device.stamp;
  if (!running) {
    if (!r.ended_at) r.ended_at = stamp;  // gone without an end event: sample the release only
    const double since_end = seconds(stamp - *r.ended_at);
    const bool releasing = snapshot.state == DaemonState::stopping || snapshot.away_from_home ||
                           since_end < kEndGraceSeconds ||
                           std::abs(snapshot.device.velocity.value_or(0.0)) > kMovingSpeed;
    if (!releasing || since_end > options_.release_sampling_s) {
      recording_.reset();
      return;
    }
  }
  const double t = seconds(stamp - r.t0);
  if (t + 1e-9 < r.next_sample_t) return;
  r.next_sample_t = (std::floor(t / kSampleSeconds + 1e-9) + 1.0) * kSampleSeconds;
  SampleRecord s{
      r.id, t, snapshot.setpoint, snapshot.device.actual, snapshot.device.velocity, std::nullopt};
  if (running) s.phase = snapshot.session->phase_index;
  push(Item{std::move(s), 0});
}

RecordState SessionRecorder::record_state(const std::string& session_id) const {
  if (!recording_ || recording_->id != session_id) return RecordState::pending;
  if (failed_seq_.load() >= recording_->seq) return RecordState::failed;
  if (committed_seq_.load() >= recording_->seq) return RecordState::committed;
  return RecordState::pending;
}

void SessionRecorder::push(Item item) {
  const bool is_sample = std::holds_alternative<SampleRecord>(item.record);
  {
    std::lock_guard lock(mutex_);
    if (is_sample) {
      if (queued_samples_ >= options_.max_queued_samples) {
        ++dropped_samples_;
        return;
      }
      ++queued_samples_;
    } else {
      urgent_ = true;
    }
    queue_.push_back(std::move(item));
    ++pushed_;
  }
  if (!is_sample) wake_.notify_one();
}

bool SessionRecorder::flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  const std::uint64_t wanted = pushed_;
  urgent_ = true;
  wake_.notify_one();
  return written_cv_.wait_for(lock, timeout, [&] { return written_ >= wanted; });
}

void SessionRecorder::writer_loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait_for(lock, options_.commit_interval, [&] { return stop_ || urgent_; });
    urgent_ = false;
    std::deque<Item> batch;
    batch.swap(queue_);
    queued_samples_ = 0;
    const bool stopping = stop_;
    lock.unlock();
    if (!batch.empty()) write(batch);
    lock.lock();
    written_ += batch.size();
    written_cv_.notify_all();
    if (stopping && queue_.empty()) return;
  }
}

void SessionRecorder::write(std::deque<Item>& batch) {
  std::size_t i = 0;
  while (i < batch.size()) {
    if (std::holds_alternative<SessionBegin>(batch[i].record)) {
      write_begin(batch[i++]);
      continue;
    }
    // A run of events, samples and ends: one transaction, one commit.
    std::size_t j = i;
    while (j < batch.size() && !std::holds_alternative<SessionBegin>(batch[j].record)) ++j;
    try {
      store_->db().transaction([&] {
        for (std::size_t k = i; k < j; ++k) write_row(batch[k]);
      });
    } catch (const std::exception& e) {
      ++write_errors_;
      spdlog::error("history: {} rows lost: {}", j - i, e.what());
    }
    i = j;
  }
  if (const auto dropped = dropped_samples_.load(); dropped > 0) {
    spdlog::warn("history: {} samples dropped so far (the disk did not keep up)", dropped);
  }
}

void SessionRecorder::write_begin(const Item& item) {
  const auto& row = std::get<SessionBegin>(item.record);
  try {
    store_->db().transaction([&] { store_->begin_session(row); });
    committed_seq_ = item.begin_seq;
  } catch (const std::exception& e) {
    failed_sessions_.insert(row.id);
    failed_seq_ = item.begin_seq;
    ++write_errors_;
    spdlog::error("history: session {} could not be recorded: {}", row.id, e.what());
  }
}

void SessionRecorder::write_row(const Item& item) {
  if (const auto* event = std::get_if<EventRecord>(&item.record)) {
    if (event->session_id && failed_sessions_.count(*event->session_id) != 0) {
      EventRecord loose = *event;
      loose.session_id.reset();
      store_->add_event(loose);
    } else {
      store_->add_event(*event);
    }
  } else if (const auto* s = std::get_if<SampleRecord>(&item.record)) {
    if (failed_sessions_.count(s->session_id) == 0) store_->add_sample(*s);
  } else if (const auto* end = std::get_if<SessionEnd>(&item.record)) {
    if (failed_sessions_.count(end->id) == 0) store_->end_session(*end);
  } else if (const auto* selftest = std::get_if<SelfTestRow>(&item.record)) {
    store_->add_selftest(*selftest);
  }
}

}  // namespace traction::history
