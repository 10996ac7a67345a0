// SPDX-License-Identifier: Apache-2.0
// A small blocking JSON-RPC 2.0 client for the control socket: one request at a time, replies
// matched by id, notifications that arrive meanwhile kept in order. Used by tractionctl and the
// tests; it can record a transcript (request line, response line) for golden tests.
#pragma once

#include <deque>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace traction::client {

struct RpcFailure {
  int code = 0;
  std::string message;
  std::string reason;  // data.reason
  nlohmann::json data = nlohmann::json::object();
};

struct Response {
  nlohmann::json id;
  nlohmann::json result;            // null when error is set
  std::optional<RpcFailure> error;  // an error reply from the daemon
};

// One exchange as seen on the wire, without the trailing '\n'. A notification from the server has
// an empty request.
struct TranscriptEntry {
  std::string request;
  std::string response;
};

class RpcClient {
 public:
  // Connects to the Unix socket at `path`. Errc::link with a message that says what to check
  // (is tractiond running, the path, permissions and group).
  static Result<std::unique_ptr<RpcClient>> connect(const std::string& path);
  ~RpcClient();
  RpcClient(const RpcClient&) = delete;
  RpcClient& operator=(const RpcClient&) = delete;

  // Sends a request and waits for the reply with its id. A daemon error is a Response with
  // `error` set; Errc::link when the connection ends, Errc::timeout after `timeout_ms`,
  // Errc::invalid_argument when the daemon's line is not a JSON-RPC reply.
  Result<Response> call(const std::string& method,
                        const nlohmann::json& params = nlohmann::json::object(),
                        int timeout_ms = 5000);
  // Sends a notification (no id, no reply).
  Status notify(const std::string& method, const nlohmann::json& params = nlohmann::json::object());
  // The next server notification ({"method", "params"}), waiting up to `timeout_ms`; nullopt when
  // none came in time. Errc::link when the connection ended.
  Result<std::optional<nlohmann::json>> next_notification(int timeout_ms);

  // Raw access for protocol tests: bytes out, one line in (without '\n').
  Status send_raw(std::string_view bytes);
  Result<std::string> read_line(int timeout_ms);

  // Records every exchange into `transcript` (nullptr stops recording). The caller keeps it alive.
  void record_to(std::vector<TranscriptEntry>* transcript) { transcript_ = transcript; }
  int native_handle() const { return fd_; }

 private:
  explicit RpcClient(int fd) : fd_(fd) {}

  int fd_;
  long long next_id_ = 1;
  std::string buffer_;                        // received bytes not yet a full line
  std::deque<nlohmann::json> notifications_;  // arrived while waiting for a reply
  std::vector<TranscriptEntry>* transcript_ = nullptr;
};

// Parses one reply line into a Response; Errc::invalid_argument when it is not one.
Result<Response> parse_response(const std::string& line);

}  // namespace traction::client
