// SPDX-License-Identifier: Apache-2.0
// The recorder on a simulated device clock: the session row before motion (the gate), 10 Hz
// samples, the figures of the end row, and the start-up recovery of an unfinished session.
#include <gtest/gtest.h>

#include "core/utc_time.hpp"
#include "daemon/history/session_recorder.hpp"
#include "tests/history/history_test_support.hpp"

namespace traction::history {
namespace {

using namespace std::chrono_literals;
using testing::event;
using testing::running;
using testing::TempDir;

constexpr auto kPeriod = 10ms;  // the control loop's 100 Hz

std::unique_ptr<SessionRecorder> open_recorder(const TempDir& dir) {
  auto recorder = SessionRecorder::open(dir.db());
  EXPECT_TRUE(recorder.ok()) << recorder.status().message();
  return recorder.ok() ? std::move(*recorder) : nullptr;
}

const nlohmann::json kStarted = {{"id", "s1"}, {"program", "quick"}, {"profile", "ann"}};

// Runs the session "s1" for `seconds` of device time: ramp to 20 at 5 deg/s, then hold.
Clock::time_point run_session(SessionRecorder& recorder, Clock::time_point t0, double seconds) {
  const auto plan = testing::small_plan();
  Clock::time_point now = t0;
  recorder.on_cycle(running("s1", plan, now, 0.0, 0, 0.0),
                    {event(1, "session_started", kStarted, "2026-03-01T10:00:00.000Z")});
  for (int i = 1; i <= static_cast<int>(seconds * 100); ++i) {
    now += kPeriod;
    const double t = i * 0.01;
    const double actual = std::min(20.0, 5.0 * t);
    recorder.on_cycle(running("s1", plan, now, t, actual < 20.0 ? 0 : 1, actual), {});
  }
  return now;
}

TEST(SessionRecorder, the_gate_opens_only_once_the_session_row_is_committed) {
  TempDir dir;
  auto recorder = open_recorder(dir);
  ASSERT_TRUE(recorder);
  EXPECT_EQ(recorder->record_state("s1"), RecordState::pending) << "nothing seen yet";
  const auto plan = testing::small_plan();
  recorder->on_cycle(running("s1", plan, Clock::now(), 0.0, 0, 0.0),
                     {event(1, "session_started", kStarted)});
  ASSERT_TRUE(recorder->flush(5s));
  EXPECT_EQ(recorder->record_state("s1"), RecordState::committed);
  EXPECT_EQ(recorder->record_state("other"), RecordState::pending);

  HistoryStore reader(dir.db());
  const auto row = reader.get("s1", false);
  ASSERT_TRUE(row.has_value()) << "the row is in the file, not only in memory";
  EXPECT_EQ((*row)["program"], "quick");
  EXPECT_EQ((*row)["profile"], "ann");
  EXPECT_EQ((*row)["plan"]["phases"].size(), 3U);
  EXPECT_EQ((*row)["limits"]["tolerance"], 1.0);
  EXPECT_TRUE((*row)["ended_utc"].is_null());
}

TEST(SessionRecorder, a_row_that_cannot_be_committed_fails_the_gate) {
  TempDir dir;
  auto recorder = open_recorder(dir);
  ASSERT_TRUE(recorder);
  const auto plan = testing::small_plan();
  recorder->on_cycle(running("s1", plan, Clock::now(), 0.0, 0, 0.0),
                     {event(1, "session_started", kStarted)});
  ASSERT_TRUE(recorder->flush(5s));
  // The same id again: the primary key refuses the second row.
  recorder->on_cycle(running("s1", plan, Clock::now(), 0.0, 0, 0.0),
                     {event(2, "session_started", kStarted)});
  ASSERT_TRUE(recorder->flush(5s));
  EXPECT_EQ(recorder->record_state("s1"), RecordState::failed);
  EXPECT_EQ(recorder->write_errors(), 1U);
}

TEST(SessionRecorder, samples_are_taken_at_10_hz_of_device_time) {
  TempDir dir;
  auto recorder = open_recorder(dir);
  ASSERT_TRUE(recorder);
  run_session(*recorder, Clock::time_point(1000s), 5.0);
  ASSERT_TRUE(recorder->flush(5s));
  HistoryStore reader(dir.db());
  const auto rows = (*reader.get("s1", true))["samples"]["rows"];
  ASSERT_GE(rows.size(), 50U);
  ASSERT_LE(rows.size(), 51U);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    EXPECT_NEAR(rows[i][0].get<double>() - rows[i - 1][0].get<double>(), 0.1, 1e-6) << i;
  }
  EXPECT_EQ(rows.back()[4], 1) << "the phase index rides along";
}

TEST(SessionRecorder, the_end_row_carries_peak_mean_time_at_target_and_duration) {
  TempDir dir;
  auto recorder = open_recorder(dir);
  ASSERT_TRUE(recorder);
  const Clock::time_point end = run_session(*recorder, Clock::time_point(1000s), 7.0);
  StatusSnapshot after;
  after.state = DaemonState::idle;
  after.device.stamp = end + kPeriod;
  after.device.actual = 20.0;
  recorder->on_cycle(
      after,
      {event(
          9, "session_ended",
          {{"id", "s1"}, {"outcome", "completed"}, {"reason", "program completed"}, {"peak", 20.2}},
          "2026-03-01T10:00:07.010Z")});
  ASSERT_TRUE(recorder->flush(5s));
  HistoryStore reader(dir.db());
  const auto row = *reader.get("s1", false);
  EXPECT_EQ(row["outcome"], "completed");
  EXPECT_EQ(row["ended_utc"], "2026-03-01T10:00:07.010Z");
  EXPECT_NEAR(row["duration_seconds"].get<double>(), 7.01, 1e-6);
  EXPECT_NEAR(row["peak"].get<double>(), 20.2, 1e-9) << "the controller's per-cycle peak wins";
  // At target (within 1 deg) from 3.8 s to 7 s, in the hold phase from 4 s: about 3 s.
  EXPECT_NEAR(row["time_at_target_seconds"].get<double>(), 3.0, 0.15);
  // Mean of the samples: 4 s of ramp (mean 10) and 3 s at 20.
  EXPECT_NEAR(row["mean"].get<double>(), (4.0 * 10.0 + 3.0 * 20.0) / 7.0, 0.2);
  ASSERT_EQ(row["events"].size(), 2U);
  EXPECT_EQ(row["events"][1]["kind"], "session_ended");
}

TEST(SessionRecorder, an_unfinished_session_is_closed_as_interrupted_at_its_last_sample) {
  TempDir dir;
  {
    auto recorder = open_recorder(dir);
    ASSERT_TRUE(recorder);
    run_session(*recorder, Clock::time_point(1000s), 4.25);
  }  // the daemon dies: no session_ended
  auto closed = recover_history(dir.db());
  ASSERT_TRUE(closed.ok()) << closed.status().message();
  EXPECT_EQ(*closed, 1);
  HistoryStore reader(dir.db());
  const auto row = *reader.get("s1", true);
  EXPECT_EQ(row["outcome"], "interrupted");
  const double last_t = row["samples"]["rows"].back()[0].get<double>();
  EXPECT_NEAR(last_t, 4.2, 1e-6);
  const auto ended = parse_utc(row["ended_utc"].get<std::string>());
  const auto started = parse_utc(row["started_utc"].get<std::string>());
  ASSERT_TRUE(ended && started);
  EXPECT_NEAR(std::chrono::duration<double>(*ended - *started).count(), last_t, 0.002);
  EXPECT_EQ(row["events"].back()["kind"], "session_ended");
  EXPECT_EQ(row["events"].back()["detail"]["recovered"], true);
  EXPECT_EQ(*recover_history(dir.db()), 0) << "a second start-up finds nothing open";
}

TEST(SessionRecorder, samples_go_on_through_the_release_after_a_stop) {
  TempDir dir;
  auto recorder = open_recorder(dir);
  ASSERT_TRUE(recorder);
  Clock::time_point now = run_session(*recorder, Clock::time_point(1000s), 5.0);
  StatusSnapshot stopping;
  stopping.state = DaemonState::stopping;
  stopping.device.actual = 20.0;
  stopping.device.velocity = -5.0;
  std::vector<Event> ended = {
      event(5, "session_ended", {{"id", "s1"}, {"outcome", "stopped"}, {"reason", "stop"}})};
  for (int i = 0; i < 400; ++i) {  // 4 s of release at 5 deg/s
    now += kPeriod;
    stopping.device.stamp = now;
    stopping.device.actual = std::max(0.0, 20.0 - 0.05 * i);
    stopping.setpoint = stopping.device.actual;
    recorder->on_cycle(stopping, i == 0 ? ended : std::vector<Event>{});
  }
  StatusSnapshot idle;
  idle.state = DaemonState::idle;
  for (int i = 0; i < 300; ++i) {  // 3 s at rest: sampling has stopped
    now += kPeriod;
    idle.device.stamp = now;
    recorder->on_cycle(idle, {});
  }
  ASSERT_TRUE(recorder->flush(5s));
  HistoryStore reader(dir.db());
  const auto rows = (*reader.get("s1", true))["samples"]["rows"];
  std::size_t after_end = 0;
  for (const auto& r : rows) after_end += r[4].is_null() ? 1 : 0;
  EXPECT_GE(after_end, 40U) << "the 4 s release is sampled";
  EXPECT_LE(after_end, 62U) << "sampling stops about 2 s after the device rests";
}

}  // namespace
}  // namespace traction::history
