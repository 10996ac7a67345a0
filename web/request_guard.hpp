// SPDX-License-Identifier: Apache-2.0
// Which browsers' requests the panel answers, as pure functions of the request's headers.
//
// Host: a page reached through a host name the panel does not know is refused. This stops DNS
// rebinding, where a web site points its own name at 127.0.0.1 so that its scripts reach a panel on
// loopback as "same origin". IP literals and localhost are always known; other names are listed in
// the config (server_names).
//
// Origin: state-changing requests (the WebSocket upgrade, login, logout, estop) must come from a
// page of the panel itself: the Origin header must be this scheme and Host, or one of the config's
// allowed_origins. A missing or "null" Origin is refused (every browser sends one on these).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace traction::web {

// `host_header` as sent (name or IP literal, with an optional port). True for localhost, any IP
// literal (IPv6 in brackets), and the names in `server_names` (compared without case).
bool host_allowed(std::string_view host_header, const std::vector<std::string>& server_names);

// True when `origin` is "http(s)://" + `host_header` for the scheme the panel serves (default
// ports may be written or left out), or equal (without case) to an entry of `allowed_origins`.
bool origin_allowed(std::string_view origin, std::string_view host_header, bool tls,
                    const std::vector<std::string>& allowed_origins);

}  // namespace traction::web
