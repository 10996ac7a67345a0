// SPDX-License-Identifier: Apache-2.0
// tractiond-web's network side: the TCP listener (HTTPS when a certificate is configured), one
// HTTP session per connection, and the WebSockets it upgrades to. One I/O thread runs it all.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <optional>

#include "core/result.hpp"
#include "web/http_routes.hpp"
#include "web/panel_context.hpp"

namespace traction::web {

class WebServer {
 public:
  explicit WebServer(PanelContext& context);
  ~WebServer();

  // Loads the certificate (when configured), binds and listens. Errc::config or Errc::link with
  // the reason.
  Status start();
  // The bound port (useful with port 0).
  unsigned short port() const;
  // Stops accepting; open connections end when the I/O context stops.
  void stop();

 private:
  void accept_next();

  PanelContext& context_;
  PanelRoutes routes_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::optional<boost::asio::ssl::context> tls_;
  // Connections open now (HTTP and WebSocket), against the cap of 4 per allowed page.
  std::shared_ptr<std::size_t> connections_ = std::make_shared<std::size_t>(0);
};

}  // namespace traction::web
