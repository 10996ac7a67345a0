// SPDX-License-Identifier: Apache-2.0
// A counting global allocator for the allocation tests (counting_allocator_test.cpp replaces
// operator new and delete for the whole alloc_tests binary). Counting is switched on per thread,
// so that other threads in the process (an in-process simulator, a test's own waiting) allocate
// as they like; log records are counted for one chosen thread the same way.
#pragma once

#include <spdlog/details/os.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <memory>
#include <mutex>

namespace traction::alloc_test {

// Counts (or stops counting) the calling thread's allocations from now on.
void count_this_thread(bool on);
// Allocations counted since the last reset, over every counting thread.
long counted_allocations();
void reset_counted_allocations();

// Counts the log records one thread emits, at every level; the thread can be chosen later.
class ThreadRecordCounter final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit ThreadRecordCounter(std::size_t thread = 0) : thread_(thread) {}
  void watch(std::size_t thread) { thread_ = thread; }
  long records() const { return records_.load(); }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (msg.thread_id == thread_.load()) records_.fetch_add(1);
  }
  void flush_() override {}

 private:
  std::atomic<std::size_t> thread_;
  std::atomic<long> records_{0};
};

// While it lives, a trace-level default logger whose records of `thread` are counted (anything a
// cycle would log is formatted, and so allocates, even at a level a daemon would not print).
class LogWatch {
 public:
  explicit LogWatch(std::size_t thread = spdlog::details::os::thread_id())
      : sink_(std::make_shared<ThreadRecordCounter>(thread)),
        logger_(std::make_shared<spdlog::logger>("alloc-test", sink_)),
        previous_(spdlog::default_logger()) {
    logger_->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger_);
  }
  ~LogWatch() { spdlog::set_default_logger(previous_); }
  LogWatch(const LogWatch&) = delete;
  LogWatch& operator=(const LogWatch&) = delete;
  ThreadRecordCounter& sink() { return *sink_; }
  long records() const { return sink_->records(); }

 private:
  std::shared_ptr<ThreadRecordCounter> sink_;
  std::shared_ptr<spdlog::logger> logger_;
  std::shared_ptr<spdlog::logger> previous_;
};

// Allocations and log records of this thread while a scope lives (or until stop()).
class CycleWatch {
 public:
  CycleWatch() {
    reset_counted_allocations();
    count_this_thread(true);
  }
  ~CycleWatch() { stop(); }
  void stop() {
    if (stopped_) return;
    stopped_ = true;
    count_this_thread(false);
    allocations_ = counted_allocations();
  }
  long allocations() const { return stopped_ ? allocations_ : counted_allocations(); }
  long log_records() const { return log_.records(); }

 private:
  LogWatch log_;
  bool stopped_ = false;
  long allocations_ = 0;
};

}  // namespace traction::alloc_test
