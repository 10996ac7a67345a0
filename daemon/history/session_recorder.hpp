// SPDX-License-Identifier: Apache-2.0
// The session recorder (docs/history.md): a CycleObserver on the control thread that turns each
// cycle's snapshot and events into rows, and a writer thread that commits them. The control
// thread only appends to a bounded queue under a mutex the writer holds for a swap, never across
// disk work. It is also the gate that holds a new session at rest until its row is committed.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <variant>

#include "core/result.hpp"
#include "daemon/cycle_observer.hpp"
#include "daemon/history/history_records.hpp"
#include "daemon/history/history_store.hpp"

namespace traction::history {

struct RecorderOptions {
  // Samples are committed at least this often; events and session rows at once.
  std::chrono::milliseconds commit_interval{250};
  // Samples queued beyond this (a stalled disk) are dropped and counted; rows and events never.
  std::size_t max_queued_samples = 6000;
  // After a session ends, samples go on while the device is released, for at most this long.
  double release_sampling_s = 120.0;
};

class SessionRecorder final : public CycleObserver, public SessionRecordGate {
 public:
  // Opens (creating and migrating) the database at `path` and starts the writer thread.
  static Result<std::unique_ptr<SessionRecorder>> open(const std::string& path,
                                                       RecorderOptions options = {});
  // Commits what is queued, then stops the writer.
  ~SessionRecorder() override;
  SessionRecorder(const SessionRecorder&) = delete;
  SessionRecorder& operator=(const SessionRecorder&) = delete;

  // Control thread.
  void on_cycle(const StatusSnapshot& snapshot, const std::vector<Event>& events) override;
  RecordState record_state(const std::string& session_id) const override;

  // Any thread: waits until everything queued before the call is committed (or `timeout`).
  bool flush(std::chrono::milliseconds timeout);
  std::uint64_t dropped_samples() const { return dropped_samples_; }
  std::uint64_t write_errors() const { return write_errors_; }

 private:
  struct Item {
    std::variant<SessionBegin, EventRecord, SampleRecord, SessionEnd, SelfTestRow> record;
    std::uint64_t begin_seq = 0;  // SessionBegin only
  };
  // The session being recorded (control thread only).
  struct Recording {
    std::string id;
    std::uint64_t seq = 0;
    Clock::time_point t0{};  // the device time of the session's start
    double next_sample_t = 0.0;
    std::optional<Clock::time_point> ended_at;
  };

  SessionRecorder(std::unique_ptr<HistoryStore> store, RecorderOptions options);
  void begin(const StatusSnapshot& snapshot, const Event& started);
  void sample(const StatusSnapshot& snapshot);
  void push(Item item);
  void writer_loop();
  void write(std::deque<Item>& batch);
  void write_begin(const Item& item);
  void write_row(const Item& item);

  RecorderOptions options_;
  std::unique_ptr<HistoryStore> store_;  // writer thread only

  std::optional<Recording> recording_;  // control thread only
  std::uint64_t next_seq_ = 0;          // control thread only

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable written_cv_;
  std::deque<Item> queue_;
  std::size_t queued_samples_ = 0;
  bool urgent_ = false;
  bool stop_ = false;
  std::uint64_t pushed_ = 0;
  std::uint64_t written_ = 0;

  std::set<std::string> failed_sessions_;  // writer thread only
  std::atomic<std::uint64_t> committed_seq_{0};
  std::atomic<std::uint64_t> failed_seq_{0};
  std::atomic<std::uint64_t> dropped_samples_{0};
  std::atomic<std::uint64_t> write_errors_{0};
  std::thread writer_;
};

}  // namespace traction::history
