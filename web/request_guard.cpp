// SPDX-License-Identifier: Apache-2.0
#include "web/request_guard.hpp"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <cctype>

namespace traction::web {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Splits "name:port", "[v6]:port", "name" into the host (brackets removed) and the port ("" when
// absent). False when the text is not of that shape.
bool split_host_port(std::string_view text, std::string& host, std::string& port) {
  port.clear();
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return false;
    host = std::string(text.substr(1, close - 1));
    const std::string_view rest = text.substr(close + 1);
    if (rest.empty()) return true;
    if (rest.front() != ':') return false;
    port = std::string(rest.substr(1));
  } else {
    const std::size_t colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
      return false;  // an IPv6 literal without brackets is not a valid Host
    }
    host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) port = std::string(text.substr(colon + 1));
  }
  const bool digits =
      std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
  return !host.empty() && digits && port.size() <= 5;
}

bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  return !ec;
}

// "host:port" with the scheme's default port removed, lower case; "" when malformed.
std::string canonical_authority(std::string_view authority, bool tls) {
  std::string host;
  std::string port;
  if (!split_host_port(authority, host, port)) return "";
  if (port == (tls ? "443" : "80")) port.clear();
  host = lower(host);
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return port.empty() ? host : host + ":" + port;
}

}  // namespace

bool host_allowed(std::string_view host_header, const std::vector<std::string>& server_names) {
  std::string host;
  std::string port;
  if (!split_host_port(host_header, host, port)) return false;
  host = lower(host);
  if (host == "localhost" || is_ip_literal(host)) return true;
  return std::any_of(server_names.begin(), server_names.end(),
                     [&](const std::string& name) { return lower(name) == host; });
}

bool origin_allowed(std::string_view origin, std::string_view host_header, bool tls,
                    const std::vector<std::string>& allowed_origins) {
  if (origin.empty() || origin == "null") return false;
  const std::string wanted_origin = lower(origin);
  for (const std::string& allowed : allowed_origins) {
    if (lower(allowed) == wanted_origin) return true;
  }
  const std::string scheme = tls ? "https://" : "http://";
  if (wanted_origin.rfind(scheme, 0) != 0) return false;
  const std::string theirs = canonical_authority(origin.substr(scheme.size()), tls);
  return !theirs.empty() && theirs == canonical_authority(host_header, tls);
}

}  // namespace traction::web
