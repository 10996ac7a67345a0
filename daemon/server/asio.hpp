// SPDX-License-Identifier: Apache-2.0
// Boost.Asio for the server, in one place. The server uses completion handlers, not C++20
// coroutines: clang 14 with libstdc++ 12 cannot compile Asio's awaitables, and the fuzz and
// clang-tidy builds use clang.
#pragma once

// Boost 1.74's awaitable.hpp (pulled in by asio.hpp under g++ -std=c++20) uses std::exchange
// without including <utility> (a known header bug): <utility> must come first.
// clang-format off
#include <utility>
#include <boost/asio.hpp>
// clang-format on

namespace traction {
namespace asio = boost::asio;
using UnixSocket = asio::local::stream_protocol::socket;
using UnixAcceptor = asio::local::stream_protocol::acceptor;
}  // namespace traction
