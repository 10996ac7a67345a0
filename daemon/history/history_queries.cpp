// SPDX-License-Identifier: Apache-2.0
#include "daemon/history/history_queries.hpp"

namespace traction::history {

Result<std::unique_ptr<HistoryQueries>> HistoryQueries::open(const std::string& path,
                                                             std::size_t max_pending) {
  try {
    auto store = std::make_unique<HistoryStore>(path);
    return std::unique_ptr<HistoryQueries>(new HistoryQueries(std::move(store), max_pending));
  } catch (const std::exception& e) {
    return Result<std::unique_ptr<HistoryQueries>>(Errc::state, e.what());
  }
}

HistoryQueries::HistoryQueries(std::unique_ptr<HistoryStore> store, std::size_t max_pending)
    : store_(std::move(store)), max_pending_(max_pending), thread_([this] { run(); }) {}

HistoryQueries::~HistoryQueries() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

bool HistoryQueries::post(Job job) {
  {
    std::lock_guard lock(mutex_);
    if (jobs_.size() >= max_pending_) return false;
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

void HistoryQueries::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping, and every job has run
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job(*store_);
    lock.lock();
  }
}

}  // namespace traction::history
