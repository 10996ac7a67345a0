// SPDX-License-Identifier: Apache-2.0
#include "cli/rpc_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <system_error>

namespace traction::client {
namespace {

using SteadyClock = std::chrono::steady_clock;

// What a person should check, by errno of connect().
std::string connect_advice(const std::string& path, int error) {
  const std::string base =
      "cannot connect to " + path + ": " + std::generic_category().message(error) + ". ";
  switch (error) {
    case ENOENT:
      return base + "Is tractiond running? Check the path (--socket, or TRACTIOND_SOCKET).";
    case ECONNREFUSED:
      return base + "The socket file exists but nothing listens: tractiond is not running.";
    case EACCES:
    case EPERM:
      return base +
             "Check the socket's permissions: your user must own it or be in its group "
             "(see server.socket_group in the daemon config).";
    default:
      return base + "Is tractiond running, and is this the right path?";
  }
}

int remaining_ms(SteadyClock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

}  // namespace

Result<Response> parse_response(const std::string& line) {
  nlohmann::json message;
  try {
    message = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception& e) {
    return Result<Response>(Errc::invalid_argument, std::string("reply is not JSON: ") + e.what());
  }
  if (!message.is_object() || message.value("jsonrpc", "") != "2.0") {
    return Result<Response>(Errc::invalid_argument, "reply is not a JSON-RPC 2.0 object: " + line);
  }
  Response response;
  response.id = message.value("id", nlohmann::json());
  if (const auto error = message.find("error"); error != message.end() && error->is_object()) {
    RpcFailure failure;
    failure.code = error->value("code", 0);
    failure.message = error->value("message", "");
    if (const auto data = error->find("data"); data != error->end() && data->is_object()) {
      failure.data = *data;
      failure.reason = data->value("reason", "");
    }
    response.error = std::move(failure);
  } else if (const auto result = message.find("result"); result != message.end()) {
    response.result = *result;
  } else {
    return Result<Response>(Errc::invalid_argument, "reply has neither result nor error: " + line);
  }
  return response;
}

Result<std::unique_ptr<RpcClient>> RpcClient::connect(const std::string& path) {
  using Out = Result<std::unique_ptr<RpcClient>>;
  sockaddr_un address{};
  if (path.empty() || path.size() >= sizeof(address.sun_path)) {
    return Out(Errc::invalid_argument, "socket path \"" + path + "\" is empty or too long");
  }
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return Out(Errc::link, std::string("socket(): ") + std::generic_category().message(errno));
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    const int error = errno;
    ::close(fd);
    return Out(Errc::link, connect_advice(path, error));
  }
  return Out(std::unique_ptr<RpcClient>(new RpcClient(fd)));
}

RpcClient::~RpcClient() {
  ::close(fd_);
}

Status RpcClient::send_raw(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return {Errc::link, std::string("send: ") + std::generic_category().message(errno)};
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return Status::success();
}

Result<std::string> RpcClient::read_line(int timeout_ms) {
  const auto deadline = SteadyClock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    if (const auto newline = buffer_.find('\n'); newline != std::string::npos) {
      std::string line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      return line;
    }
    pollfd waiting{fd_, POLLIN, 0};
    const int ready = ::poll(&waiting, 1, remaining_ms(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0)
      return Result<std::string>(Errc::link,
                                 std::string("poll: ") + std::generic_category().message(errno));
    if (ready == 0) return Result<std::string>(Errc::timeout, "no reply from tractiond in time");
    char chunk[8192];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return Result<std::string>(Errc::link,
                                 std::string("recv: ") + std::generic_category().message(errno));
    if (n == 0) return Result<std::string>(Errc::link, "tractiond closed the connection");
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

Result<Response> RpcClient::call(const std::string& method, const nlohmann::json& params,
                                 int timeout_ms) {
  const long long id = next_id_++;
  const std::string request =
      nlohmann::json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}}.dump();
  if (Status sent = send_raw(request + "\n"); !sent) return Result<Response>(sent);
  const auto deadline = SteadyClock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto line = read_line(remaining_ms(deadline));
    if (!line) return Result<Response>(line.status());
    auto response = parse_response(*line);
    if (!response) {
      // A notification interleaved with the reply: keep it for next_notification().
      nlohmann::json message = nlohmann::json::parse(*line, nullptr, false);
      if (message.is_object() && message.contains("method") && !message.contains("id")) {
        if (transcript_) transcript_->push_back({"", *line});
        notifications_.push_back(std::move(message));
        continue;
      }
      return response;
    }
    if (response->id == id || response->id.is_null()) {
      if (transcript_) transcript_->push_back({request, *line});
      return response;
    }
  }
}

Status RpcClient::notify(const std::string& method, const nlohmann::json& params) {
  const std::string request =
      nlohmann::json{{"jsonrpc", "2.0"}, {"method", method}, {"params", params}}.dump();
  if (transcript_) transcript_->push_back({request, ""});
  return send_raw(request + "\n");
}

Result<std::optional<nlohmann::json>> RpcClient::next_notification(int timeout_ms) {
  using Out = Result<std::optional<nlohmann::json>>;
  if (!notifications_.empty()) {
    nlohmann::json next = std::move(notifications_.front());
    notifications_.pop_front();
    return Out(std::optional<nlohmann::json>(std::move(next)));
  }
  const auto deadline = SteadyClock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto line = read_line(remaining_ms(deadline));
    if (!line) {
      if (line.status().code() == Errc::timeout) return Out(std::optional<nlohmann::json>());
      return Out(line.status());
    }
    nlohmann::json message = nlohmann::json::parse(*line, nullptr, false);
    if (message.is_object() && message.contains("method") && !message.contains("id")) {
      if (transcript_) transcript_->push_back({"", *line});
      return Out(std::optional<nlohmann::json>(std::move(message)));
    }
    // A stray reply (e.g. to an error with id null) is not a notification; the daemon closing
    // after an error shows up as Errc::link on the next read.
    if (message.is_object() && message.contains("error")) {
      return Out(Errc::invalid_argument,
                 "tractiond: " + message["error"].value("message", std::string("error")));
    }
  }
}

}  // namespace traction::client
