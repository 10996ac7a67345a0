// SPDX-License-Identifier: Apache-2.0
#include "simulator/control/control_socket.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace traction::sim {

Result<std::unique_ptr<ControlSocket>> ControlSocket::open(const std::string& path,
                                                           Handler handler) {
  std::unique_ptr<ControlSocket> control(new ControlSocket(path, std::move(handler)));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path) {
    return Status(Errc::invalid_argument,
                  "control socket path \"" + path + "\" is empty or too long");
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (pipe2(control->wake_, O_CLOEXEC | O_NONBLOCK) != 0) {
    return Status(Errc::internal, std::string("pipe: ") + std::strerror(errno));
  }
  control->listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ::unlink(path.c_str());
  if (control->listen_fd_ < 0 ||
      bind(control->listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(control->listen_fd_, 8) != 0) {
    return Status(Errc::link, "control socket " + path + ": " + std::strerror(errno));
  }
  return control;
}

ControlSocket::~ControlSocket() {
  stop();
  for (Client& c : clients_) close(c.fd);
  for (int fd : {listen_fd_, wake_[0], wake_[1]}) {
    if (fd >= 0) close(fd);
  }
  if (listen_fd_ >= 0) ::unlink(path_.c_str());
}

void ControlSocket::start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
}

void ControlSocket::stop() {
  stopping_ = true;
  if (wake_[1] >= 0) {
    const char byte = 1;
    [[maybe_unused]] const ssize_t n = write(wake_[1], &byte, 1);
  }
  if (thread_.joinable()) thread_.join();
}

void ControlSocket::run() {
  std::vector<pollfd> fds;
  while (!stopping_) {
    fds.clear();
    fds.push_back({wake_[0], POLLIN, 0});
    fds.push_back({listen_fd_, POLLIN, 0});
    for (const Client& c : clients_) fds.push_back({c.fd, POLLIN, 0});
    if (poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) break;
    if (stopping_) break;
    if ((fds[1].revents & POLLIN) != 0) {
      const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) clients_.push_back(Client{fd, {}, false});
    }
    for (std::size_t i = 0; i + 2 < fds.size(); ++i) {
      if (fds[i + 2].revents != 0) read_client(clients_[i]);
    }
    std::erase_if(clients_, [](const Client& c) {
      if (c.dead) close(c.fd);
      return c.dead;
    });
  }
}

void ControlSocket::read_client(Client& client) {
  char chunk[4096];
  const ssize_t n = recv(client.fd, chunk, sizeof chunk, 0);
  if (n <= 0) {
    client.dead = true;
    return;
  }
  client.buffer.append(chunk, static_cast<std::size_t>(n));
  std::size_t newline;
  while ((newline = client.buffer.find('\n')) != std::string::npos) {
    const std::string line = client.buffer.substr(0, newline);
    client.buffer.erase(0, newline + 1);
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const nlohmann::json request = nlohmann::json::parse(line, nullptr, false);
    if (request.is_discarded()) {
      reply(client, {{"ok", false}, {"error", "invalid JSON"}});
    } else {
      reply(client, handler_(request));
    }
  }
  if (client.buffer.size() > kMaxLineBytes) {
    reply(client, {{"ok", false}, {"error", "line longer than 64 KiB"}});
    client.dead = true;
  }
}

void ControlSocket::reply(Client& client, const nlohmann::json& answer) {
  const std::string text =
      answer.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  // Replies are small; a client that does not read them is dropped, never waited for.
  if (send(client.fd, text.data(), text.size(), MSG_NOSIGNAL | MSG_DONTWAIT) !=
      static_cast<ssize_t>(text.size())) {
    client.dead = true;
  }
}

}  // namespace traction::sim
