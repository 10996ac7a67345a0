// SPDX-License-Identifier: Apache-2.0
// A Modbus TCP tap for benchmarks: a transparent proxy between tractiond and traction-sim that
// timestamps every request and reply (steady clock) as its bytes arrive, and decodes the
// register reads and writes. It changes nothing on the wire; it adds one loopback hop and the
// tap thread's wake-up to each transaction, so what it measures is an upper bound.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_support.hpp"

namespace traction::bench {

// One Modbus PDU seen by the tap.
struct TapFrame {
  BenchClock::time_point at;
  bool request = true;  // client → device; false: the device's reply
  std::uint16_t transaction = 0;
  std::uint8_t function = 0;         // 0x80 set on an exception reply
  std::uint16_t address = 0;         // requests: first register; replies: the request's
  std::uint16_t count = 0;           // registers read or written
  std::vector<std::uint16_t> words;  // FC16 request values; FC3/FC4 reply values
};

class ModbusTap {
 public:
  // Listens on 127.0.0.1 (ephemeral port) and forwards each connection to 127.0.0.1:upstream_port.
  explicit ModbusTap(int upstream_port);
  ~ModbusTap();
  ModbusTap(const ModbusTap&) = delete;
  ModbusTap& operator=(const ModbusTap&) = delete;

  int port() const { return port_; }
  // Puts the tap's thread under SCHED_FIFO at `priority` (1..99), so that on a loaded machine its
  // timestamps are not late by the normal scheduler's wake-up; false when refused (not root).
  bool set_realtime(int priority);
  // The frames recorded since the last call (oldest first); recording goes on.
  std::vector<TapFrame> take();
  // Forgets what was recorded so far.
  void clear() { take(); }

 private:
  struct Link;
  void run();
  void pump(Link& link, bool from_client);
  void record(Link& link, bool from_client, const std::uint8_t* adu, std::size_t size,
              BenchClock::time_point at);
  void record_frame(TapFrame frame);

  int upstream_port_;
  int listener_ = -1;
  int port_ = 0;
  int wake_[2] = {-1, -1};
  std::vector<std::unique_ptr<Link>> links_;
  std::mutex frames_mutex_;
  std::vector<TapFrame> frames_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace traction::bench
