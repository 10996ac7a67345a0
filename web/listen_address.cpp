// SPDX-License-Identifier: Apache-2.0
#include "web/listen_address.hpp"

#include <boost/asio/ip/address.hpp>
#include <charconv>

namespace traction::web {

Result<ListenAddress> parse_listen_address(std::string_view text) {
  const auto bad = [&](const std::string& why) {
    return Result<ListenAddress>(Errc::invalid_argument,
                                 "listen address \"" + std::string(text) + "\": " + why);
  };
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad("expected HOST:PORT, e.g. 127.0.0.1:8480");
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return bad("an IPv6 address goes in brackets: [::1]:8480");
  }
  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return bad("the port must be a number from 0 to 65535");
  }
  ListenAddress out;
  out.port = static_cast<unsigned short>(port);
  if (host == "localhost") {
    out.host = "127.0.0.1";
    return out;
  }
  boost::system::error_code parse_error;
  const auto address = boost::asio::ip::make_address(std::string(host), parse_error);
  if (parse_error) return bad("the host must be an IP address or localhost");
  out.host = address.to_string();
  return out;
}

bool is_loopback(const ListenAddress& address) {
  boost::system::error_code ec;
  auto ip = boost::asio::ip::make_address(address.host, ec);
  if (ec) return false;
  if (ip.is_v6() && ip.to_v6().is_v4_mapped()) {
    ip = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, ip.to_v6());
  }
  return ip.is_loopback();
}

std::string authority(const ListenAddress& address) {
  const bool v6 = address.host.find(':') != std::string::npos;
  return (v6 ? "[" + address.host + "]" : address.host) + ":" + std::to_string(address.port);
}

}  // namespace traction::web
