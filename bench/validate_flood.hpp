// SPDX-License-Identifier: Apache-2.0
// The heaviest program.validate load a client may put on the daemon: connections that each send
// the largest request the protocol admits back to back — one line just under
// server.max_line_bytes (default 65536) holding an inline `steps` program of kMaxPlanPhases (500)
// phases, every ramp above the table's max_target, so that each request is parsed, expanded,
// checked phase by phase and refused with its violations (the planner thread's worst case).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_support.hpp"
#include "cli/rpc_client.hpp"

namespace traction::bench {

// The `params` of the largest program.validate request for the inversion table: the request line
// (with its JSON-RPC envelope) is at most `line_bytes` long.
inline nlohmann::json largest_validate_params(std::size_t line_bytes = 65536) {
  constexpr int kPhases = 500;  // daemon/engine/plan.hpp kMaxPlanPhases
  auto params_with = [&](std::size_t label_size) {
    nlohmann::json phases = nlohmann::json::array();
    for (int i = 0; i < kPhases; ++i) {
      const std::string label(label_size, static_cast<char>('a' + i % 26));
      phases.push_back(i % 2 == 0
                           ? nlohmann::json{{"kind", "ramp"},
                                            {"target", 50.0 + i % 30},
                                            {"rate", 3.0},
                                            {"label", label}}
                           : nlohmann::json{{"kind", "hold"}, {"seconds", 1.0}, {"label", label}});
    }
    return nlohmann::json{
        {"definition", {{"kinds", {"inversion"}}, {"mode", "steps"}, {"phases", phases}}}};
  };
  auto line_size = [](const nlohmann::json& params) {
    return nlohmann::json{
        {"jsonrpc", "2.0"}, {"id", 999999999}, {"method", "program.validate"}, {"params", params}}
        .dump()
        .size();
  };
  const std::size_t bare = line_size(params_with(0));
  const std::size_t label = bare < line_bytes ? (line_bytes - bare - 1) / kPhases : 0;
  return params_with(label);
}

// `clients` connections calling program.validate with largest_validate_params() back to back.
class ValidateFlood {
 public:
  ValidateFlood(const std::string& socket_path, int clients) : params_(largest_validate_params()) {
    for (int i = 0; i < clients; ++i) {
      auto client = client::RpcClient::connect(socket_path);
      if (!client) continue;
      threads_.emplace_back([this, c = std::shared_ptr<client::RpcClient>(std::move(*client))] {
        while (!stop_) {
          auto reply = c->call("program.validate", params_, 10000);
          if (reply) {
            ++replies_;
            if (reply->error && reply->error->reason == "too_many_requests") ++busy_;
          } else {
            ++failures_;
          }
        }
      });
    }
  }
  ~ValidateFlood() { stop(); }
  ValidateFlood(const ValidateFlood&) = delete;
  ValidateFlood& operator=(const ValidateFlood&) = delete;

  void stop() {
    stop_ = true;
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  int clients() const { return static_cast<int>(threads_.size()); }
  long replies() const { return replies_; }  // answered, whatever the answer (refusals included)
  long busy() const { return busy_; }        // refused at once: the planner's queue was full
  long failures() const { return failures_; }
  std::size_t request_bytes() const { return params_.dump().size(); }

 private:
  const nlohmann::json params_;
  std::atomic<bool> stop_{false};
  std::atomic<long> replies_{0};
  std::atomic<long> busy_{0};
  std::atomic<long> failures_{0};
  std::vector<std::thread> threads_;
};

}  // namespace traction::bench
