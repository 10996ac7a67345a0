// SPDX-License-Identifier: Apache-2.0
#include "simulator/modbus/modbus_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace traction::sim {

namespace {
// A request's bytes arrive together from any sane master; this bounds a stalled partial frame.
constexpr std::uint32_t kTcpByteTimeout_us = 100'000;
constexpr std::uint32_t kRtuByteTimeout_us = 50'000;
// After a hard error on the serial line (peer closed), look again this much later, not in a spin.
constexpr auto kRtuRetry = std::chrono::milliseconds(50);

Status errno_status(Errc code, const std::string& what) {
  return {code, what + ": " + std::strerror(errno)};
}
}  // namespace

Result<std::unique_ptr<ModbusServer>> ModbusServer::open(const ServerEndpoints& endpoints,
                                                         RequestSink& sink) {
  std::unique_ptr<ModbusServer> server(new ModbusServer(sink));
  if (pipe2(server->wake_, O_CLOEXEC | O_NONBLOCK) != 0)
    return errno_status(Errc::internal, "pipe");
  if (Status s = server->open_tcp(endpoints); !s) return s;
  if (!endpoints.rtu_device.empty() || endpoints.rtu_fd >= 0) {
    if (Status s = server->open_rtu(endpoints); !s) return s;
  }
  return server;
}

Status ModbusServer::open_tcp(const ServerEndpoints& endpoints) {
  const std::string host =
      endpoints.listen_host == "localhost" ? "127.0.0.1" : endpoints.listen_host;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(endpoints.listen_port));
  if (endpoints.listen_port < 0 || endpoints.listen_port > 65535 ||
      inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    return {Errc::invalid_argument, "listen address \"" + endpoints.listen_host + ":" +
                                        std::to_string(endpoints.listen_port) +
                                        "\" is not IPv4 HOST:PORT"};
  }
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return errno_status(Errc::link, "socket");
  const int yes = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return errno_status(Errc::link, "bind " + host + ":" + std::to_string(endpoints.listen_port));
  }
  if (listen(listen_fd_, 16) != 0) return errno_status(Errc::link, "listen");
  socklen_t len = sizeof addr;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  tcp_port_ = ntohs(addr.sin_port);
  // Used only to frame and answer requests; it never connects anywhere.
  tcp_ctx_ = modbus_new_tcp("127.0.0.1", tcp_port_);
  if (tcp_ctx_ == nullptr) return errno_status(Errc::internal, "modbus_new_tcp");
  modbus_set_byte_timeout(tcp_ctx_, 0, kTcpByteTimeout_us);
  prepare_server_context(tcp_ctx_);
  return {};
}

Status ModbusServer::open_rtu(const ServerEndpoints& endpoints) {
  const char parity = endpoints.parity;
  if (parity != 'N' && parity != 'E' && parity != 'O') {
    return {Errc::invalid_argument, std::string("parity must be N, E or O, not '") + parity + "'"};
  }
  const bool by_path = !endpoints.rtu_device.empty();
  rtu_ctx_ = modbus_new_rtu(by_path ? endpoints.rtu_device.c_str() : "/dev/null", endpoints.baud,
                            parity, 8, 1);
  if (rtu_ctx_ == nullptr) return errno_status(Errc::invalid_argument, "modbus_new_rtu");
  if (modbus_set_slave(rtu_ctx_, endpoints.unit) != 0) {
    return {Errc::invalid_argument, "unit " + std::to_string(endpoints.unit) + " is not 1..247"};
  }
  modbus_set_byte_timeout(rtu_ctx_, 0, kRtuByteTimeout_us);
  prepare_server_context(rtu_ctx_);
  int fd = endpoints.rtu_fd;
  if (by_path) {
    if (modbus_connect(rtu_ctx_) != 0)
      return errno_status(Errc::link, "open " + endpoints.rtu_device);
    fd = modbus_get_socket(rtu_ctx_);
    rtu_owns_fd_ = true;
  } else {
    modbus_set_socket(rtu_ctx_, fd);
  }
  connections_.push_back(Connection{fd, Transport::rtu, {}, false});
  return {};
}

ModbusServer::~ModbusServer() {
  stop();
  for (Connection& c : connections_) {
    if (c.transport == Transport::tcp) close(c.fd);
  }
  if (rtu_ctx_ != nullptr) {
    if (rtu_owns_fd_) modbus_close(rtu_ctx_);
    modbus_free(rtu_ctx_);
  }
  if (tcp_ctx_ != nullptr) modbus_free(tcp_ctx_);
  for (int fd : {listen_fd_, wake_[0], wake_[1]}) {
    if (fd >= 0) close(fd);
  }
}

void ModbusServer::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void ModbusServer::stop() {
  stopping_ = true;
  if (wake_[1] >= 0) {
    const char byte = 1;
    [[maybe_unused]] const ssize_t n = write(wake_[1], &byte, 1);
  }
  if (thread_.joinable()) thread_.join();
}

int ModbusServer::poll_timeout_ms(SteadyClock::time_point now) const {
  auto next = SteadyClock::time_point::max();
  for (const Connection& c : connections_) {
    if (!c.pending.empty()) next = std::min(next, c.pending.front().due);
  }
  if (rtu_resume_ > now) next = std::min(next, rtu_resume_);
  if (next == SteadyClock::time_point::max()) return -1;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(next - now).count();
  return static_cast<int>(std::clamp<long long>(ms, 0, 1000));
}

void ModbusServer::run() {
  std::vector<pollfd> fds;
  while (!stopping_) {
    const auto now = SteadyClock::now();
    fds.clear();
    fds.push_back({wake_[0], POLLIN, 0});
    fds.push_back({listen_fd_, POLLIN, 0});
    for (const Connection& c : connections_) {
      const bool paused = c.transport == Transport::rtu && rtu_resume_ > now;
      fds.push_back({paused ? -1 : c.fd, POLLIN, 0});
    }
    if (poll(fds.data(), fds.size(), poll_timeout_ms(now)) < 0 && errno != EINTR) break;
    if (stopping_) break;
    if ((fds[1].revents & POLLIN) != 0) accept_client();
    for (std::size_t i = 0; i < connections_.size() && i + 2 < fds.size(); ++i) {
      if (fds[i + 2].revents != 0) receive(connections_[i]);
    }
    const auto after = SteadyClock::now();
    for (Connection& c : connections_) send_due(c, after);
    std::erase_if(connections_, [](const Connection& c) {
      if (c.dead) close(c.fd);
      return c.dead;
    });
  }
}

void ModbusServer::accept_client() {
  const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) return;
  const auto tcp_clients =
      std::count_if(connections_.begin(), connections_.end(),
                    [](const Connection& c) { return c.transport == Transport::tcp; });
  if (static_cast<std::size_t>(tcp_clients) >= kMaxTcpClients) {
    close(fd);
    return;
  }
  connections_.push_back(Connection{fd, Transport::tcp, {}, false});
}

void ModbusServer::receive(Connection& connection) {
  modbus_t* ctx = connection.transport == Transport::tcp ? tcp_ctx_ : rtu_ctx_;
  modbus_set_socket(ctx, connection.fd);
  std::uint8_t request[MODBUS_MAX_ADU_LENGTH];
  const int length = modbus_receive(ctx, request);
  if (length < 0) {
    if (connection.transport == Transport::tcp) {
      // Peer gone or a frame that cannot be resynchronised on a stream: drop the connection.
      connection.dead = true;
    } else if (errno == EMBBADCRC || errno == ETIMEDOUT || errno == EMBBADDATA) {
      modbus_flush(ctx);  // resynchronise on the next silent interval
    } else {
      rtu_resume_ = SteadyClock::now() + kRtuRetry;
    }
    return;
  }
  if (length == 0) return;  // addressed to another unit
  std::optional<Reply> reply = sink_.on_request(ctx, connection.transport, request, length);
  if (!reply) return;
  const auto due = SteadyClock::now() + std::chrono::milliseconds(reply->delay_ms);
  connection.pending.push_back(Pending{due, std::move(reply->bytes)});
}

void ModbusServer::send_due(Connection& connection, SteadyClock::time_point now) {
  while (!connection.dead && !connection.pending.empty() && connection.pending.front().due <= now) {
    const std::vector<std::uint8_t>& bytes = connection.pending.front().bytes;
    const ssize_t n =
        connection.transport == Transport::tcp
            ? send(connection.fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT)
            : write(connection.fd, bytes.data(), bytes.size());
    // A client that does not read its replies is dropped rather than queued without bound.
    if (n != static_cast<ssize_t>(bytes.size()) && connection.transport == Transport::tcp)
      connection.dead = true;
    connection.pending.pop_front();
  }
}

}  // namespace traction::sim
