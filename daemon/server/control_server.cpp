// SPDX-License-Identifier: Apache-2.0
#include "daemon/server/control_server.hpp"

#include <grp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "daemon/server/server_core.hpp"

namespace traction {
namespace {

std::string errno_text() {
  return std::generic_category().message(errno);
}

// True when something accepts connections on `path` (a running daemon), false for a stale file.
bool socket_is_live(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  const bool live = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return live;
}

Status remove_stale_socket(const std::string& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return Status::success();
    return {Errc::config, path + ": cannot inspect: " + errno_text()};
  }
  if (!S_ISSOCK(info.st_mode)) {
    return {Errc::config, path + ": exists and is not a socket; refusing to replace it"};
  }
  if (socket_is_live(path)) {
    return {Errc::refused,
            path + ": another process is serving this socket (is tractiond already running?)"};
  }
  if (::unlink(path.c_str()) != 0) {
    return {Errc::config, path + ": cannot remove the stale socket: " + errno_text()};
  }
  return Status::success();
}

Status set_group(const std::string& path, const std::string& group_name) {
  std::vector<char> buffer(65536);
  group entry{};
  group* found = nullptr;
  if (getgrnam_r(group_name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || !found) {
    return {Errc::config, "socket_group \"" + group_name + "\": no such group"};
  }
  if (::chown(path.c_str(), static_cast<uid_t>(-1), found->gr_gid) != 0) {
    return {Errc::config, path + ": cannot give it to group " + group_name + ": " + errno_text()};
  }
  return Status::success();
}

}  // namespace

ControlServer::ControlServer(ServerConfig config, DaemonPorts ports)
    : config_(std::move(config)), ports_(std::move(ports)) {}

ControlServer::~ControlServer() {
  stop();
}

Status ControlServer::start() {
  if (started_) return {Errc::state, "control server already started"};
  auto io = std::make_shared<asio::io_context>(1);
  UnixAcceptor acceptor(*io);
  boost::system::error_code ec;
  const asio::local::stream_protocol protocol;
  if (config_.inherited_fd >= 0) {
    acceptor.assign(protocol, config_.inherited_fd, ec);
    if (ec) return {Errc::config, "cannot adopt the inherited socket: " + ec.message()};
  } else {
    const std::string& path = config_.socket_path;
    if (path.empty() || path.size() >= sizeof(sockaddr_un{}.sun_path)) {
      return {Errc::config, "socket path \"" + path + "\" is empty or too long"};
    }
    if (Status removed = remove_stale_socket(path); !removed) return removed;
    acceptor.open(protocol, ec);
    if (!ec) acceptor.bind(asio::local::stream_protocol::endpoint(path), ec);
    if (ec) return {Errc::config, path + ": cannot bind: " + ec.message()};
    created_socket_file_ = true;
    // Nobody can connect before listen(), so setting the mode now leaves no window.
    if (::chmod(path.c_str(), config_.socket_mode) != 0) {
      ::unlink(path.c_str());
      return {Errc::config, path + ": cannot set mode: " + errno_text()};
    }
    if (!config_.socket_group.empty()) {
      if (Status grouped = set_group(path, config_.socket_group); !grouped) {
        ::unlink(path.c_str());
        return grouped;
      }
    }
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      ::unlink(path.c_str());
      return {Errc::config, path + ": cannot listen: " + ec.message()};
    }
  }
  RoleResolver roles(config_, ::geteuid());
  for (const auto& name : roles.unresolved()) {
    spdlog::warn("control socket: roles: {} does not exist; it maps nobody", name);
  }
  io_ = io;
  core_ = std::make_unique<ServerCore>(io_, config_, ports_, std::move(acceptor), std::move(roles));
  core_->start();
  // Logged before the thread starts: its first log line must not race spdlog's own setup.
  spdlog::info("control socket: listening on {}",
               config_.inherited_fd >= 0 ? "the inherited socket" : config_.socket_path);
  thread_ = std::thread([io] { io->run(); });
  started_ = true;
  return Status::success();
}

void ControlServer::stop() {
  if (!started_) return;
  started_ = false;
  asio::post(*io_, [core = core_.get()] { core->shutdown(); });
  // Every pending operation is cancelled by shutdown(), so run() returns on its own.
  if (thread_.joinable()) thread_.join();
  core_.reset();
  if (created_socket_file_) {
    ::unlink(config_.socket_path.c_str());
    created_socket_file_ = false;
  }
  // The io_context itself may outlive us: a command's `done` may still hold it to post a reply.
  io_.reset();
}

}  // namespace traction
