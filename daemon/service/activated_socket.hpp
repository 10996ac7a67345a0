// SPDX-License-Identifier: Apache-2.0
// Socket activation (sd_listen_fds(3)): the listening socket systemd passes in, found by its
// FileDescriptorName= ("control" in systemd/tractiond.socket).
#pragma once

#include <string>

#include "core/result.hpp"

namespace traction {

// The passed fd named `name`, or -1 when the daemon was not socket-activated ($LISTEN_FDS unset or
// not for this pid). A single passed fd named "unknown" (a launcher without names) is taken too.
// Errc::config when fds were passed but none fits, or the one named is not a listening Unix stream
// socket. Unset the $LISTEN_* variables and closes the passed fds it does not take.
Result<int> take_activated_socket(const std::string& name);

}  // namespace traction
