// SPDX-License-Identifier: Apache-2.0
// The query thread: answers the socket's history reads (and feedback writes) on its own
// connection, so that neither the server thread nor the control thread ever waits on the disk.
// WAL lets it read while the recorder writes.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "core/result.hpp"
#include "daemon/history/history_store.hpp"

namespace traction::history {

class HistoryQueries {
 public:
  using Job = std::function<void(HistoryStore&)>;

  // Opens its own connection to the database at `path` (created and migrated if needed).
  static Result<std::unique_ptr<HistoryQueries>> open(const std::string& path,
                                                      std::size_t max_pending = 64);
  // Runs the jobs still queued, then stops the thread.
  ~HistoryQueries();
  HistoryQueries(const HistoryQueries&) = delete;
  HistoryQueries& operator=(const HistoryQueries&) = delete;

  // Queues `job` for the query thread; false (and the job is not run) when `max_pending` jobs
  // are already waiting. A job handles its own exceptions.
  bool post(Job job);

 private:
  HistoryQueries(std::unique_ptr<HistoryStore> store, std::size_t max_pending);
  void run();

  std::unique_ptr<HistoryStore> store_;  // query thread only
  std::size_t max_pending_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace traction::history
