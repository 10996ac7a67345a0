// SPDX-License-Identifier: Apache-2.0
// Boost.Asio for the server, in one place: Boost 1.74's awaitable.hpp uses std::exchange without
// including <utility> (a known header bug), so <utility> must come first.
#pragma once

#include <utility>
// (keep the blank line: include sorting must not move <utility> below Asio)

#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace traction {
namespace asio = boost::asio;
using UnixSocket = asio::local::stream_protocol::socket;
using UnixAcceptor = asio::local::stream_protocol::acceptor;
}  // namespace traction
