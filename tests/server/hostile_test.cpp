// SPDX-License-Identifier: Apache-2.0
// Hostile and broken clients all at once, while the port publishes at 100 Hz like a running
// session: well-behaved clients keep being served on time and publishing never waits.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>

#include "tests/server/server_fixture.hpp"

namespace traction::testing {
namespace {

using SteadyClock = std::chrono::steady_clock;

class Hostile : public ServerFixture {
 protected:
  void configure(ServerConfig& config) override {
    config.max_connections = 32;
    config.max_queued_bytes = 64 * 1024;
  }
  // Publishes a running session's snapshot and a bulky event every 10 ms; records the longest
  // publish() call (a server holding the port would show up here).
  void start_publisher() {
    publisher_ = std::thread([this] {
      StatusSnapshot snapshot;
      snapshot.state = DaemonState::running;
      snapshot.session = SessionProgress{};
      snapshot.session->phase_kind = "hold";
      const Event bulky = RecordingPort::state_event(std::string(2048, 'n'));
      auto next = SteadyClock::now();
      while (!stop_publisher_) {
        snapshot.cycles++;
        const auto before = SteadyClock::now();
        port_.publish(snapshot);
        port_.publish_event(bulky);
        max_publish_ = std::max(max_publish_.load(), SteadyClock::now() - before);
        next += std::chrono::milliseconds(10);
        std::this_thread::sleep_until(next);
      }
    });
  }
  void TearDown() override {
    stop_publisher_ = true;
    if (publisher_.joinable()) publisher_.join();
    ServerFixture::TearDown();
  }
  // True when the peer has closed `fd`, seen without reading from it.
  static bool peer_closed(int fd, std::chrono::milliseconds timeout) {
    pollfd waiting{fd, POLLRDHUP, 0};
    return ::poll(&waiting, 1, static_cast<int>(timeout.count())) == 1 &&
           (waiting.revents & (POLLRDHUP | POLLHUP)) != 0;
  }

  std::thread publisher_;
  std::atomic<bool> stop_publisher_{false};
  std::atomic<SteadyClock::duration> max_publish_{SteadyClock::duration::zero()};
};

TEST_F(Hostile, attack_when_a_session_runs_expect_good_clients_served_and_bad_ones_contained) {
  start();
  start_publisher();
  auto watcher = connect();
  auto caller = connect();
  auto non_reader = connect();
  ASSERT_TRUE(watcher && caller && non_reader);
  ASSERT_FALSE(call(*watcher, "status.subscribe", {{"rate_hz", 10}, {"events", false}}).error);
  ASSERT_TRUE(
      non_reader
          ->send_raw(
              R"({"jsonrpc":"2.0","id":1,"method":"status.subscribe","params":{"rate_hz":50}})"
              "\n")
          .ok());

  std::atomic<bool> attacking{true};
  // A 10 MiB line: refused after 64 KiB, connection closed.
  std::atomic<bool> big_line_refused{false};
  // Every hostile client connects before the crowd below, so that each holds a slot.
  auto big_line_client = connect();
  auto garbage_client = connect();
  std::vector<std::unique_ptr<client::RpcClient>> slow_clients;
  for (int w = 0; w < 2; ++w) slow_clients.push_back(connect());
  ASSERT_TRUE(big_line_client && garbage_client && slow_clients[0] && slow_clients[1]);
  std::thread big_line([&, rpc = std::move(big_line_client)] {
    (void)rpc->send_raw(std::string(10 << 20, 'a'));  // fails once the server has closed
    auto line = rpc->read_line(5000);
    big_line_refused = line.ok() && line->find("line_too_long") != std::string::npos;
  });
  // Byte-by-byte writers: slow, but served.
  std::atomic<int> slow_replies{0};
  std::vector<std::thread> slow_writers;
  for (int w = 0; w < 2; ++w) {
    slow_writers.emplace_back([&, rpc = std::move(slow_clients[w])] {
      while (attacking) {
        for (char byte : std::string(R"({"jsonrpc":"2.0","id":5,"method":"status.get"})"
                                     "\n")) {
          (void)rpc->send_raw(std::string(1, byte));
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        if (rpc->read_line(2000).ok()) ++slow_replies;
      }
    });
  }
  // Garbage, including invalid UTF-8, answered with -32700 each time.
  std::atomic<int> parse_errors{0};
  std::thread garbage([&, rpc = std::move(garbage_client)] {
    while (attacking) {
      (void)rpc->send_raw("\xFF\xFE{not json\n");
      auto line = rpc->read_line(2000);
      if (line.ok() && line->find("-32700") != std::string::npos) ++parse_errors;
    }
  });

  // 64 more connections: at most 32 in all are admitted, the rest get an error and are closed.
  std::vector<std::unique_ptr<client::RpcClient>> crowd;
  for (int i = 0; i < 64; ++i) {
    auto rpc = client::RpcClient::connect(config_.socket_path);
    ASSERT_TRUE(rpc.ok()) << rpc.status().message();  // the kernel accepts; the server decides
    crowd.push_back(std::move(*rpc));
  }
  int refused = 0;
  int served = 0;
  for (auto& rpc : crowd) {
    (void)rpc->send_raw(R"({"jsonrpc":"2.0","id":1,"method":"daemon.info"})"
                        "\n");
    auto line = rpc->read_line(5000);
    ASSERT_TRUE(line.ok()) << line.status().message();
    if (line->find("too_many_connections") != std::string::npos) {
      ++refused;
      EXPECT_TRUE(peer_closed(rpc->native_handle(), std::chrono::seconds(5)));
    } else {
      ++served;
    }
  }
  EXPECT_EQ(refused + served, 64);
  // Watcher, caller, garbage and the slow writers hold slots throughout; the big line and the
  // non-reader may already have been dropped, freeing theirs.
  EXPECT_GE(refused, 64 - 32 + 5);

  // Meanwhile: the watcher's updates keep their rate and the caller is answered promptly.
  std::vector<SteadyClock::time_point> arrivals;
  SteadyClock::duration worst_call{};
  const auto until = SteadyClock::now() + std::chrono::seconds(2);
  std::uint64_t first_cycles = 0;
  std::uint64_t last_cycles = 0;
  while (SteadyClock::now() < until) {
    const auto before = SteadyClock::now();
    auto r = caller->call("status.get", nlohmann::json::object(), 2000);
    ASSERT_TRUE(r.ok() && !r->error);
    worst_call = std::max(worst_call, SteadyClock::now() - before);
    for (;;) {
      auto n = watcher->next_notification(0);
      ASSERT_TRUE(n.ok()) << n.status().message();
      if (!*n) break;
      arrivals.push_back(SteadyClock::now());
      last_cycles = (**n)["params"]["status"]["loop"]["cycles"];
      if (first_cycles == 0) first_cycles = last_cycles;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // pace the caller, 50 calls/s
  }
  EXPECT_GE(arrivals.size(), 16u);             // 10 Hz for 2 s
  EXPECT_GT(last_cycles, first_cycles + 100);  // the snapshots kept flowing through
  EXPECT_LT(worst_call, std::chrono::milliseconds(250));
  // The subscriber that never reads is dropped once its queue is full.
  EXPECT_TRUE(peer_closed(non_reader->native_handle(), std::chrono::seconds(10)));

  attacking = false;
  big_line.join();
  for (auto& t : slow_writers) t.join();
  garbage.join();
  EXPECT_TRUE(big_line_refused);
  EXPECT_GT(slow_replies.load(), 0);
  EXPECT_GT(parse_errors.load(), 10);
  EXPECT_LT(max_publish_.load(), std::chrono::milliseconds(20));
  // The server is still whole afterwards.
  auto after = connect();
  ASSERT_TRUE(after);
  EXPECT_FALSE(call(*after, "status.get").error);
}

}  // namespace
}  // namespace traction::testing
