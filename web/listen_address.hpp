// SPDX-License-Identifier: Apache-2.0
// The panel's listening address (HOST:PORT) and whether it is loopback only: every rule of the
// panel's security that depends on where it listens asks is_loopback().
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace traction::web {

struct ListenAddress {
  std::string host;  // an IP literal ("127.0.0.1", "::1", "0.0.0.0"); "localhost" becomes 127.0.0.1
  unsigned short port = 0;
};

// Parses "127.0.0.1:8480", "[::1]:8480", "localhost:8480" or "0.0.0.0:8480". Host names other
// than localhost are refused (name lookups would decide what is exposed). Port 0 = ephemeral.
Result<ListenAddress> parse_listen_address(std::string_view text);

// True for 127.0.0.0/8 and ::1 (and ::ffff:127.x.y.z): only this machine can connect.
bool is_loopback(const ListenAddress& address);

// "127.0.0.1:8480" or "[::1]:8480", as a URL authority.
std::string authority(const ListenAddress& address);

}  // namespace traction::web
