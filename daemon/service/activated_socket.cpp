// SPDX-License-Identifier: Apache-2.0
#include "daemon/service/activated_socket.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cstdlib>
#include <system_error>

namespace traction {

Result<int> take_activated_socket(const std::string& name) {
  char** names = nullptr;
  const int count = sd_listen_fds_with_names(1, &names);
  if (count < 0) {
    return {Errc::config, "socket activation: " + std::generic_category().message(-count)};
  }
  int chosen = -1;
  for (int i = 0; i < count; ++i) {
    const int fd = SD_LISTEN_FDS_START + i;
    const std::string fd_name = names != nullptr && names[i] != nullptr ? names[i] : "unknown";
    const bool wanted = fd_name == name || (count == 1 && fd_name == "unknown");
    if (wanted && chosen < 0) {
      chosen = fd;
    } else {
      spdlog::warn("socket activation: ignoring passed fd {} named \"{}\"", fd, fd_name);
      ::close(fd);
    }
  }
  if (names != nullptr) {
    for (int i = 0; i < count; ++i) std::free(names[i]);
    std::free(names);
  }
  if (count == 0) return -1;
  if (chosen < 0) {
    return {Errc::config, "socket activation: no passed fd is named \"" + name +
                              "\" (FileDescriptorName= in the socket unit)"};
  }
  if (sd_is_socket_unix(chosen, SOCK_STREAM, 1, nullptr, 0) <= 0) {
    ::close(chosen);
    return {Errc::config, "socket activation: the fd named \"" + name +
                              "\" is not a listening Unix stream socket (ListenStream=)"};
  }
  ::fcntl(chosen, F_SETFD, FD_CLOEXEC);
  return chosen;
}

}  // namespace traction
