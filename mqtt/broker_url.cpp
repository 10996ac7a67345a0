// SPDX-License-Identifier: Apache-2.0
#include "mqtt/broker_url.hpp"

#include <charconv>

namespace traction::mqtt {
namespace {

Result<BrokerUrl> bad(const std::string& text, const std::string& why) {
  return Result<BrokerUrl>(Errc::invalid_argument, "broker \"" + text + "\": " + why +
                                                       " (expected mqtt://HOST:PORT or "
                                                       "mqtts://HOST:PORT)");
}

// Splits "host[:port]" or "[v6]:port" into its parts; false when malformed.
bool split_authority(const std::string& authority, std::string& host, std::string& port) {
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos) return false;
    host = authority.substr(1, close - 1);
    const std::string rest = authority.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return false;
    port = rest.empty() ? "" : rest.substr(1);
    return true;
  }
  const auto colon = authority.rfind(':');
  host = authority.substr(0, colon);
  port = colon == std::string::npos ? "" : authority.substr(colon + 1);
  return host.find(':') == std::string::npos;
}

}  // namespace

std::string BrokerUrl::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return std::string(tls ? "mqtts://" : "mqtt://") + (v6 ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

Result<BrokerUrl> parse_broker_url(const std::string& text) {
  BrokerUrl url;
  std::string rest;
  if (text.rfind("mqtt://", 0) == 0) {
    rest = text.substr(7);
  } else if (text.rfind("mqtts://", 0) == 0) {
    rest = text.substr(8);
    url.tls = true;
    url.port = 8883;
  } else {
    return bad(text, "unknown scheme");
  }
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.find('/') != std::string::npos) return bad(text, "no path is allowed");
  std::string port;
  if (!split_authority(rest, url.host, port)) return bad(text, "malformed host");
  if (url.host.empty()) return bad(text, "no host");
  if (!port.empty()) {
    int value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value < 1 || value > 65535) {
      return bad(text, "port \"" + port + "\" is not 1 to 65535");
    }
    url.port = value;
  }
  return url;
}

}  // namespace traction::mqtt
