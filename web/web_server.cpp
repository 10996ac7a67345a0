// SPDX-License-Identifier: Apache-2.0
#include "web/web_server.hpp"

#include <spdlog/spdlog.h>

#include "web/web_sessions.hpp"

namespace traction::web {
namespace {

namespace ip = boost::asio::ip;

// HTTP and WebSocket connections at once, per allowed page (its relay, its STOP socket and two
// for loading files).
constexpr std::size_t kConnectionsPerPage = 4;

}  // namespace

WebServer::WebServer(PanelContext& context)
    : context_(context), routes_(context), acceptor_(context.io) {}

WebServer::~WebServer() {
  stop();
}

Status WebServer::start() {
  if (context_.config.tls()) {
    tls_.emplace(boost::asio::ssl::context::tls_server);
    tls_->set_options(boost::asio::ssl::context::default_workarounds |
                      boost::asio::ssl::context::no_sslv2 | boost::asio::ssl::context::no_sslv3 |
                      boost::asio::ssl::context::no_tlsv1 | boost::asio::ssl::context::no_tlsv1_1 |
                      boost::asio::ssl::context::single_dh_use);
    boost::system::error_code ec;
    tls_->use_certificate_chain_file(context_.config.tls_certificate, ec);
    if (ec) {
      return Status(Errc::config, context_.config.tls_certificate + ": " + ec.message());
    }
    tls_->use_private_key_file(context_.config.tls_key, boost::asio::ssl::context::pem, ec);
    if (ec) return Status(Errc::config, context_.config.tls_key + ": " + ec.message());
  }
  boost::system::error_code ec;
  const ip::tcp::endpoint endpoint(ip::make_address(context_.config.address.host),
                                   context_.config.address.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(ip::tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec)
    return Status(Errc::link, "cannot listen on " + context_.config.listen + ": " + ec.message());
  accept_next();
  return Status::success();
}

unsigned short WebServer::port() const {
  boost::system::error_code ec;
  return acceptor_.local_endpoint(ec).port();
}

void WebServer::stop() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

void WebServer::accept_next() {
  acceptor_.async_accept([this](boost::system::error_code ec, ip::tcp::socket socket) {
    if (ec == boost::asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      boost::system::error_code remote_ec;
      const auto remote = socket.remote_endpoint(remote_ec);
      const std::string who = remote_ec ? "?" : remote.address().to_string();
      if (*connections_ >= kConnectionsPerPage * context_.config.limits.max_browsers) {
        spdlog::warn("connection from {} refused: {} connections are open", who, *connections_);
        socket.close(remote_ec);
      } else {
        auto slot = std::make_shared<ConnectionSlot>(connections_);
        socket.set_option(ip::tcp::no_delay(true), remote_ec);
        beast::tcp_stream stream(std::move(socket));
        if (tls_) {
          std::make_shared<HttpSession<TlsStream>>(TlsStream(std::move(stream), *tls_), context_,
                                                   routes_, who, std::move(slot))
              ->run();
        } else {
          std::make_shared<HttpSession<beast::tcp_stream>>(std::move(stream), context_, routes_,
                                                           who, std::move(slot))
              ->run();
        }
      }
    }
    accept_next();
  });
}

}  // namespace traction::web
