// SPDX-License-Identifier: Apache-2.0
// The Modbus transports on one thread: a TCP listener with several clients at once and an
// optional RTU line (a serial device path, or an already-open fd such as one side of an openpty
// pair), multiplexed with poll(). libmodbus frames requests (MBAP, RTU CRC, unit filter); what to
// answer is the sink's business. Replies may be held back (delay_replies) without blocking other
// clients.
#pragma once

#include <modbus/modbus.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/result.hpp"
#include "simulator/modbus/request_handler.hpp"

namespace traction::sim {

struct ServerEndpoints {
  std::string listen_host = "127.0.0.1";
  int listen_port = 0;     // 0 = ephemeral
  std::string rtu_device;  // serial device path, or "" for none
  int rtu_fd = -1;         // an already-open fd (tests: openpty); used when rtu_device is ""
  int baud = 19200;
  char parity = 'N';
  int unit = 1;
};

// Called on the server thread for every framed request.
class RequestSink {
 public:
  virtual ~RequestSink() = default;
  // Returns what to send back, or std::nullopt for silence. Must not block for long.
  virtual std::optional<Reply> on_request(modbus_t* ctx, Transport transport,
                                          const std::uint8_t* request, int length) = 0;
};

class ModbusServer {
 public:
  // Binds the TCP listener and opens the RTU line. Errc::link when either cannot be opened,
  // Errc::invalid_argument for a bad host or parity.
  static Result<std::unique_ptr<ModbusServer>> open(const ServerEndpoints& endpoints,
                                                    RequestSink& sink);
  ~ModbusServer();
  ModbusServer(const ModbusServer&) = delete;
  ModbusServer& operator=(const ModbusServer&) = delete;

  // Serves on its own thread until stop(). stop() is idempotent.
  void start();
  void stop();
  int tcp_port() const { return tcp_port_; }

 private:
  using SteadyClock = std::chrono::steady_clock;
  struct Pending {
    SteadyClock::time_point due;
    std::vector<std::uint8_t> bytes;
  };
  struct Connection {
    int fd = -1;
    Transport transport = Transport::tcp;
    std::deque<Pending> pending;
    bool dead = false;
  };
  static constexpr std::size_t kMaxTcpClients = 16;

  explicit ModbusServer(RequestSink& sink) : sink_(sink) {}
  Status open_tcp(const ServerEndpoints& endpoints);
  Status open_rtu(const ServerEndpoints& endpoints);
  void run();
  void accept_client();
  void receive(Connection& connection);
  void send_due(Connection& connection, SteadyClock::time_point now);
  int poll_timeout_ms(SteadyClock::time_point now) const;

  RequestSink& sink_;
  int listen_fd_ = -1;
  int tcp_port_ = 0;
  modbus_t* tcp_ctx_ = nullptr;
  modbus_t* rtu_ctx_ = nullptr;
  bool rtu_owns_fd_ = false;
  SteadyClock::time_point rtu_resume_{};
  std::vector<Connection> connections_;  // [0] is the RTU line when there is one
  int wake_[2] = {-1, -1};
  std::thread thread_;
  std::atomic<bool> stopping_{false};
};

}  // namespace traction::sim
