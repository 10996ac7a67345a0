// SPDX-License-Identifier: Apache-2.0
// status.subscribe: status.update at the asked rate, events as soon as seen, each with its seq.
#include <gtest/gtest.h>

#include "tests/server/server_fixture.hpp"

namespace traction::testing {
namespace {

class Subscription : public ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    start();
    rpc_ = connect();
    ASSERT_NE(rpc_, nullptr);
  }
  // The next notification with `method`, skipping others, within 5 s.
  nlohmann::json next(const std::string& method) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      auto n = rpc_->next_notification(100);
      if (!n.ok()) break;
      if (*n && (**n)["method"] == method) return (**n)["params"];
    }
    ADD_FAILURE() << "no " << method << " notification";
    return nlohmann::json();
  }
  std::unique_ptr<client::RpcClient> rpc_;
};

TEST_F(Subscription, subscribe_when_called_expect_first_update_at_once_with_seq_1) {
  StatusSnapshot snapshot;
  snapshot.state = DaemonState::idle;
  port_.publish(snapshot);
  const auto r = call(*rpc_, "status.subscribe", {{"rate_hz", 1}});
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.result["subscribed"], true);
  EXPECT_EQ(r.result["events"], true);
  const auto started = std::chrono::steady_clock::now();
  const auto update = next("status.update");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(500));
  EXPECT_EQ(update["seq"], 1);
  EXPECT_EQ(update["status"]["state"], "idle");
}

TEST_F(Subscription, subscribe_when_called_expect_its_reply_before_the_first_update) {
  ASSERT_TRUE(rpc_->send_raw(R"({"jsonrpc":"2.0","id":"s","method":"status.subscribe"})"
                             "\n")
                  .ok());
  auto first = rpc_->read_line(5000);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(nlohmann::json::parse(*first)["id"], "s");
  auto second = rpc_->read_line(5000);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(nlohmann::json::parse(*second)["method"], "status.update");
}

TEST_F(Subscription, updates_when_rate_is_20_hz_expect_about_20_per_second_with_rising_seq) {
  ASSERT_FALSE(call(*rpc_, "status.subscribe", {{"rate_hz", 20}, {"events", false}}).error);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  std::vector<std::uint64_t> seqs;
  while (std::chrono::steady_clock::now() < until) {
    auto n = rpc_->next_notification(100);
    ASSERT_TRUE(n.ok());
    if (*n) seqs.push_back((**n)["params"]["seq"].get<std::uint64_t>());
  }
  EXPECT_GE(seqs.size(), 15u);
  EXPECT_LE(seqs.size(), 23u);
  for (std::size_t i = 1; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], seqs[i - 1] + 1);
}

TEST_F(Subscription, event_when_published_after_subscribe_expect_notified_with_its_seq) {
  port_.publish_event(RecordingPort::state_event("old"));  // before the subscription: not sent
  ASSERT_FALSE(call(*rpc_, "status.subscribe", {{"rate_hz", 1}}).error);
  const auto seq = port_.publish_event(RecordingPort::phase_event(2));
  const auto event = next("event");
  EXPECT_EQ(event["seq"], seq);
  EXPECT_EQ(event["kind"], "phase_changed");
  EXPECT_EQ(event["detail"]["index"], 2);
}

TEST_F(Subscription, events_when_several_expect_each_once_in_seq_order) {
  ASSERT_FALSE(call(*rpc_, "status.subscribe", {{"rate_hz", 1}}).error);
  for (int i = 0; i < 5; ++i) port_.publish_event(RecordingPort::phase_event(i));
  std::uint64_t previous = 0;
  for (int i = 0; i < 5; ++i) {
    const auto event = next("event");
    EXPECT_EQ(event["detail"]["index"], i);
    EXPECT_GT(event["seq"].get<std::uint64_t>(), previous);
    previous = event["seq"];
  }
}

TEST_F(Subscription, events_when_not_wanted_expect_none) {
  ASSERT_FALSE(call(*rpc_, "status.subscribe", {{"rate_hz", 50}, {"events", false}}).error);
  port_.publish_event(RecordingPort::state_event("fault"));
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
  int updates = 0;
  while (std::chrono::steady_clock::now() < until) {
    auto n = rpc_->next_notification(50);
    ASSERT_TRUE(n.ok());
    if (!*n) continue;
    EXPECT_EQ((**n)["method"], "status.update");
    ++updates;
  }
  EXPECT_GT(updates, 5);
}

TEST_F(Subscription, unsubscribe_when_called_expect_updates_to_stop) {
  ASSERT_FALSE(call(*rpc_, "status.subscribe", {{"rate_hz", 50}}).error);
  const auto r = call(*rpc_, "status.unsubscribe");
  ASSERT_FALSE(r.error);
  // Updates already queued before the reply may still arrive; none after a quiet interval.
  while (true) {
    auto n = rpc_->next_notification(200);
    ASSERT_TRUE(n.ok());
    if (!*n) break;
  }
  auto n = rpc_->next_notification(300);
  ASSERT_TRUE(n.ok());
  EXPECT_FALSE(*n);
}

TEST_F(Subscription, unsubscribe_when_not_subscribed_expect_invalid_request) {
  const auto r = call(*rpc_, "status.unsubscribe");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, -32600);
}

TEST_F(Subscription, subscribe_when_rate_out_of_range_expect_invalid_params) {
  for (double rate : {0.5, 51.0}) {
    const auto r = call(*rpc_, "status.subscribe", {{"rate_hz", rate}});
    ASSERT_TRUE(r.error) << rate;
    EXPECT_EQ(r.error->code, -32602);
  }
}

TEST_F(Subscription, update_when_session_runs_expect_progress_fields) {
  StatusSnapshot snapshot;
  snapshot.state = DaemonState::running;
  SessionProgress progress;
  progress.id = "s-7";
  progress.phase_index = 1;
  progress.phase_count = 5;
  progress.phase_kind = "hold";
  progress.repetition = 1;
  progress.repetitions = 3;
  progress.target = 15.0;
  progress.elapsed_seconds = 5.0;
  progress.remaining_seconds = 10.0;
  progress.total_seconds = 15.0;
  snapshot.session = progress;
  port_.publish(snapshot);
  ASSERT_FALSE(call(*rpc_, "status.subscribe", {{"rate_hz", 10}}).error);
  const auto session = next("status.update")["status"]["session"];
  EXPECT_EQ(session["id"], "s-7");
  EXPECT_EQ(session["phase_kind"], "hold");
  EXPECT_EQ(session["repetition"], 1);
  EXPECT_EQ(session["unit"], "deg");
  EXPECT_NEAR(session["progress"].get<double>(), 1.0 / 3.0, 1e-9);
}

}  // namespace
}  // namespace traction::testing
