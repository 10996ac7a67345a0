// SPDX-License-Identifier: Apache-2.0
#include "bench/modbus_tap.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <stdexcept>

namespace traction::bench {

namespace {

constexpr std::size_t kMbapHeader = 7;  // transaction, protocol, length (2 each), unit

std::uint16_t be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}

int connect_upstream(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

void write_all(int fd, const std::uint8_t* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) return;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

}  // namespace

// One client connection and its upstream twin, with the bytes of an unfinished ADU each way.
struct ModbusTap::Link {
  int client = -1;
  int upstream = -1;
  std::vector<std::uint8_t> pending[2];                   // [0] from client, [1] from upstream
  std::map<std::uint16_t, std::uint16_t> read_addresses;  // transaction → address of a read
  bool closed = false;
};

ModbusTap::ModbusTap(int upstream_port) : upstream_port_(upstream_port) {
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      ::listen(listener_, 16) != 0 ||
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
      ::pipe(wake_) != 0) {
    throw std::runtime_error("modbus tap: cannot listen");
  }
  port_ = ntohs(addr.sin_port);
  frames_.reserve(1 << 16);
  thread_ = std::thread([this] { run(); });
}

bool ModbusTap::set_realtime(int priority) {
  sched_param param{};
  param.sched_priority = priority;
  return pthread_setschedparam(thread_.native_handle(), SCHED_FIFO, &param) == 0;
}

ModbusTap::~ModbusTap() {
  stop_ = true;
  const char byte = 0;
  if (::write(wake_[1], &byte, 1) < 0) {
    // The tap thread also wakes on its poll timeout.
  }
  thread_.join();
  for (auto& link : links_) {
    ::close(link->client);
    ::close(link->upstream);
  }
  ::close(listener_);
  ::close(wake_[0]);
  ::close(wake_[1]);
}

std::vector<TapFrame> ModbusTap::take() {
  std::lock_guard lock(frames_mutex_);
  std::vector<TapFrame> out;
  out.swap(frames_);
  frames_.reserve(1 << 16);
  return out;
}

void ModbusTap::run() {
  std::vector<pollfd> fds;
  while (!stop_) {
    fds.clear();
    fds.push_back({listener_, POLLIN, 0});
    fds.push_back({wake_[0], POLLIN, 0});
    for (auto& link : links_) {
      fds.push_back({link->client, POLLIN, 0});
      fds.push_back({link->upstream, POLLIN, 0});
    }
    if (::poll(fds.data(), fds.size(), 200) <= 0) continue;
    if (fds[0].revents & POLLIN) {
      const int client = ::accept(listener_, nullptr, nullptr);
      const int upstream = client >= 0 ? connect_upstream(upstream_port_) : -1;
      if (upstream >= 0) {
        const int one = 1;
        ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        auto link = std::make_unique<Link>();
        link->client = client;
        link->upstream = upstream;
        links_.push_back(std::move(link));
      } else if (client >= 0) {
        ::close(client);
      }
    }
    for (std::size_t i = 2; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      Link& link = *links_[(i - 2) / 2];
      if (!link.closed) pump(link, (i - 2) % 2 == 0);
    }
    for (auto it = links_.begin(); it != links_.end();) {
      if ((*it)->closed) {
        ::close((*it)->client);
        ::close((*it)->upstream);
        it = links_.erase(it);
      } else {
        ++it;
      }
    }
  }
}

// Forwards what one side sent at once, then records every complete ADU in it.
void ModbusTap::pump(Link& link, bool from_client) {
  std::uint8_t buffer[4096];
  const int from = from_client ? link.client : link.upstream;
  const int to = from_client ? link.upstream : link.client;
  const ssize_t n = ::recv(from, buffer, sizeof buffer, 0);
  const auto at = BenchClock::now();
  if (n <= 0) {
    link.closed = true;
    return;
  }
  write_all(to, buffer, static_cast<std::size_t>(n));
  std::vector<std::uint8_t>& pending = link.pending[from_client ? 0 : 1];
  pending.insert(pending.end(), buffer, buffer + n);
  while (pending.size() >= kMbapHeader) {
    const std::size_t size = 6 + be16(&pending[4]);
    if (pending.size() < size) break;
    record(link, from_client, pending.data(), size, at);
    pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(size));
  }
}

void ModbusTap::record(Link& link, bool from_client, const std::uint8_t* adu, std::size_t size,
                       BenchClock::time_point at) {
  if (size < kMbapHeader + 1) return;
  TapFrame f;
  f.at = at;
  f.request = from_client;
  f.transaction = be16(adu);
  f.function = adu[kMbapHeader];
  const std::uint8_t* pdu = adu + kMbapHeader;
  const std::size_t pdu_size = size - kMbapHeader;
  const bool read = f.function == 3 || f.function == 4;
  if (from_client && pdu_size >= 5) {
    f.address = be16(pdu + 1);
    f.count = be16(pdu + 3);
    if (read) link.read_addresses[f.transaction] = f.address;
    if (f.function == 16) {
      for (std::size_t i = 0; i < f.count && 6 + 2 * i + 1 < pdu_size; ++i)
        f.words.push_back(be16(pdu + 6 + 2 * i));
    }
  } else if (!from_client) {
    const auto found = link.read_addresses.find(f.transaction);  // exception replies too
    if (found != link.read_addresses.end()) {
      f.address = found->second;
      link.read_addresses.erase(found);
    }
    if (!read || pdu_size < 2) {
      record_frame(std::move(f));
      return;
    }
    f.count = static_cast<std::uint16_t>(pdu[1] / 2);
    for (std::size_t i = 0; i < f.count && 2 + 2 * i + 1 < pdu_size; ++i)
      f.words.push_back(be16(pdu + 2 + 2 * i));
  }
  record_frame(std::move(f));
}

void ModbusTap::record_frame(TapFrame frame) {
  std::lock_guard lock(frames_mutex_);
  frames_.push_back(std::move(frame));
}

}  // namespace traction::bench
