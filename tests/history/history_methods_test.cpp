// SPDX-License-Identifier: Apache-2.0
// history.list, history.get and session.feedback over a real socket: a ControlServer in front of
// the history port, whose inner port is the server tests' recording double.
#include <gtest/gtest.h>

#include "core/utc_time.hpp"
#include "daemon/history/history_port.hpp"
#include "tests/history/history_test_support.hpp"
#include "tests/server/server_fixture.hpp"

namespace traction::history {
namespace {

using nlohmann::json;

class HistoryRpc : public traction::testing::ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    {
      HistoryStore seed(dir_ + "/history.db");
      for (int i = 1; i <= 3; ++i) {
        const std::string id = "s" + std::to_string(i);
        const std::string at = "2026-03-0" + std::to_string(i) + "T08:00:00.000Z";
        seed.begin_session({id,
                            "quick-check",
                            i == 3 ? "bo" : "ann",
                            at,
                            {{"unit", "deg"}, {"phases", json::array()}},
                            json::object(),
                            nullptr});
        seed.add_sample({id, 0.0, 0.0, 0.0, 0.0, 0});
        seed.add_sample({id, 0.1, 0.5, 0.4, 5.0, 0});
        seed.end_session({id, "2026-03-0" + std::to_string(i) + "T08:00:15.000Z", "completed",
                          "program completed", std::nullopt});
      }
    }
    auto recorder = SessionRecorder::open(dir_ + "/history.db");
    auto queries = HistoryQueries::open(dir_ + "/history.db");
    ASSERT_TRUE(recorder.ok() && queries.ok());
    recorder_ = std::move(*recorder);
    queries_ = std::move(*queries);
    control_ = std::make_unique<RecordedControl>(port_, recorder_.get());
    methods_ = std::make_unique<HistoryMethods>(queries_.get());
    server_ = std::make_unique<ControlServer>(
        config_, DaemonPorts{*control_, port_, methods_.get(), port_.ports().info});
    ASSERT_TRUE(server_->start().ok());
  }
  void TearDown() override {
    server_.reset();
    ServerFixture::TearDown();
  }

  std::unique_ptr<SessionRecorder> recorder_;
  std::unique_ptr<HistoryQueries> queries_;
  std::unique_ptr<RecordedControl> control_;
  std::unique_ptr<HistoryMethods> methods_;
};

TEST_F(HistoryRpc, list_is_newest_first_and_filters_by_profile_since_and_limit) {
  auto rpc = connect();
  ASSERT_TRUE(rpc);
  auto all = call(*rpc, "history.list");
  ASSERT_FALSE(all.error) << all.error->message;
  ASSERT_EQ(all.result["sessions"].size(), 3U);
  EXPECT_EQ(all.result["sessions"][0]["id"], "s3");
  EXPECT_EQ(all.result["sessions"][0]["duration_seconds"], 15.0);
  EXPECT_EQ(call(*rpc, "history.list", {{"profile", "ann"}}).result["sessions"].size(), 2U);
  EXPECT_EQ(call(*rpc, "history.list", {{"since", "2026-03-02"}}).result["sessions"].size(), 2U);
  EXPECT_EQ(call(*rpc, "history.list", {{"limit", 1}}).result["sessions"].size(), 1U);
  const auto bad = call(*rpc, "history.list", {{"since", "yesterday"}});
  ASSERT_TRUE(bad.error);
  EXPECT_EQ(bad.error->reason, "invalid_params");
  EXPECT_EQ(call(*rpc, "history.list", {{"limit", 0}}).error->reason, "invalid_params");
}

TEST_F(HistoryRpc, get_returns_the_session_with_samples_only_when_asked) {
  auto rpc = connect();
  ASSERT_TRUE(rpc);
  const auto plain = call(*rpc, "history.get", {{"id", "s2"}});
  ASSERT_FALSE(plain.error);
  EXPECT_EQ(plain.result["outcome"], "completed");
  EXPECT_FALSE(plain.result.contains("samples"));
  const auto with = call(*rpc, "history.get", {{"id", "s2"}, {"samples", true}});
  ASSERT_EQ(with.result["samples"]["rows"].size(), 2U);
  EXPECT_EQ(with.result["samples"]["columns"][2], "actual");
  const auto missing = call(*rpc, "history.get", {{"id", "nope"}});
  ASSERT_TRUE(missing.error);
  EXPECT_EQ(missing.error->reason, "unknown_session");
  EXPECT_EQ(missing.error->code, -32015);
}

TEST_F(HistoryRpc, feedback_is_stored_checked_and_needs_the_operator_role) {
  auto rpc = connect();
  ASSERT_TRUE(rpc);
  const auto stored =
      call(*rpc, "session.feedback", {{"id", "s1"}, {"comfort_before", 4}, {"comfort_after", 7}});
  ASSERT_FALSE(stored.error) << stored.error->message;
  EXPECT_EQ(stored.result["comfort_after"], 7);
  const auto note = call(*rpc, "session.feedback", {{"id", "s1"}, {"note", "lighter"}});
  EXPECT_EQ(note.result["comfort_before"], 4) << "a later call keeps earlier scores";
  EXPECT_EQ(note.result["note"], "lighter");
  EXPECT_EQ(call(*rpc, "session.feedback", {{"id", "s1"}, {"comfort_after", 11}}).error->reason,
            "invalid_params");
  EXPECT_EQ(call(*rpc, "session.feedback", {{"id", "s1"}}).error->reason, "invalid_params");
  EXPECT_EQ(call(*rpc, "session.feedback", {{"id", "zz"}, {"note", "x"}}).error->reason,
            "unknown_session");
  const auto described = call(*rpc, "rpc.describe");
  bool found = false;
  for (const auto& m : described.result["methods"]) {
    if (m["name"] == "session.feedback") {
      found = true;
      EXPECT_EQ(m["role"], "operator");
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(HistoryRpc, a_start_carries_the_recorder_as_its_record_gate) {
  auto rpc = connect();
  ASSERT_TRUE(rpc);
  const auto started = call(*rpc, "session.start", {{"program", "quick-check"}});
  ASSERT_FALSE(started.error) << started.error->message;
  const auto commands = port_.commands();
  ASSERT_EQ(commands.size(), 1U);
  EXPECT_EQ(commands[0].kind, CommandKind::start);
  EXPECT_EQ(commands[0].program, "quick-check");
  EXPECT_TRUE(commands[0].record_gate) << "nothing may move before the session row is committed";
}

}  // namespace
}  // namespace traction::history
