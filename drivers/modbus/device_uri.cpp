// SPDX-License-Identifier: Apache-2.0
#include "drivers/modbus/device_uri.hpp"

#include <charconv>
#include <map>
#include <stdexcept>
#include <vector>

#include "core/text_match.hpp"

namespace traction {
namespace {

// Thrown inside this file only; parse_device_uri turns it into a Status.
struct UriError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

int parse_int(const std::string& text, const std::string& what, int min, int max) {
  int value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) {
    throw UriError(what + " \"" + text + "\" is not an integer");
  }
  if (value < min || value > max) {
    throw UriError(what + " " + text + " is outside [" + std::to_string(min) + ", " +
                   std::to_string(max) + "]");
  }
  return value;
}

// Splits "a=1&b=2" into a map; rejects keys not in `allowed` and repeated keys.
std::map<std::string, std::string> parse_query(const std::string& query,
                                               const std::vector<std::string>& allowed) {
  std::map<std::string, std::string> params;
  std::size_t pos = 0;
  while (pos < query.size()) {
    std::size_t amp = query.find('&', pos);
    if (amp == std::string::npos) amp = query.size();
    const std::string item = query.substr(pos, amp - pos);
    pos = amp + 1;
    if (item.empty()) continue;
    const std::size_t eq = item.find('=');
    if (eq == std::string::npos) throw UriError("query item \"" + item + "\" has no '='");
    const std::string key = item.substr(0, eq);
    bool known = false;
    for (const auto& a : allowed) known = known || a == key;
    if (!known) {
      const std::string hint = closest_match(key, allowed);
      throw UriError("unknown query key \"" + key + "\"" +
                     (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
    }
    if (!params.emplace(key, item.substr(eq + 1)).second) {
      throw UriError("query key \"" + key + "\" is given twice");
    }
  }
  return params;
}

void parse_tcp(const std::string& rest, DeviceUri& out) {
  const std::size_t q = rest.find('?');
  const std::string authority = rest.substr(0, q);
  const auto params = parse_query(q == std::string::npos ? "" : rest.substr(q + 1), {"unit"});
  std::string port_text;
  if (!authority.empty() && authority.front() == '[') {  // [IPv6]:port
    const std::size_t close = authority.find(']');
    if (close == std::string::npos) throw UriError("unterminated '[' in host");
    out.host = authority.substr(1, close - 1);
    const std::string after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') throw UriError("expected ':' after ']'");
      port_text = after.substr(1);
      if (port_text.empty()) throw UriError("empty port after ':'");
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    out.host = authority.substr(0, colon);
    if (colon != std::string::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) throw UriError("empty port after ':'");
    }
  }
  if (out.host.empty()) throw UriError("missing host (expected tcp://HOST:PORT)");
  if (out.host.find('/') != std::string::npos)
    throw UriError("host \"" + out.host + "\" contains '/'");
  if (!port_text.empty()) out.port = parse_int(port_text, "port", 1, 65535);
  // TCP unit ids 0 and 255 are common for drives addressed directly (no gateway).
  if (auto it = params.find("unit"); it != params.end())
    out.unit = parse_int(it->second, "unit", 0, 255);
}

void parse_rtu(const std::string& rest, DeviceUri& out) {
  const std::size_t q = rest.find('?');
  out.device = rest.substr(0, q);
  if (out.device.empty() || out.device.front() != '/') {
    throw UriError("missing serial device path (expected rtu:///dev/ttyUSB0)");
  }
  const auto params = parse_query(q == std::string::npos ? "" : rest.substr(q + 1),
                                  {"baud", "parity", "data_bits", "stop_bits", "unit"});
  if (auto it = params.find("baud"); it != params.end())
    out.baud = parse_int(it->second, "baud", 300, 4000000);
  if (auto it = params.find("parity"); it != params.end()) {
    const std::string& p = it->second;
    if (p.size() != 1 || (p[0] != 'N' && p[0] != 'E' && p[0] != 'O')) {
      throw UriError("parity \"" + p + "\" must be N, E or O");
    }
    out.parity = p[0];
  }
  if (auto it = params.find("data_bits"); it != params.end()) {
    out.data_bits = parse_int(it->second, "data_bits", 5, 8);
  }
  if (auto it = params.find("stop_bits"); it != params.end()) {
    out.stop_bits = parse_int(it->second, "stop_bits", 1, 2);
  }
  // RTU: 0 is broadcast (no reply) and 248-255 are reserved.
  if (auto it = params.find("unit"); it != params.end())
    out.unit = parse_int(it->second, "unit", 1, 247);
}

}  // namespace

Result<DeviceUri> parse_device_uri(const std::string& uri) {
  try {
    DeviceUri out{};
    if (uri.rfind("tcp://", 0) == 0) {
      out.transport = DeviceUri::Transport::tcp;
      parse_tcp(uri.substr(6), out);
    } else if (uri.rfind("rtu://", 0) == 0) {
      out.transport = DeviceUri::Transport::rtu;
      parse_rtu(uri.substr(6), out);
    } else {
      throw UriError("scheme must be tcp:// or rtu://");
    }
    return out;
  } catch (const UriError& e) {
    return Result<DeviceUri>(Errc::invalid_argument, "device URI \"" + uri + "\": " + e.what());
  }
}

std::string to_string(const DeviceUri& uri) {
  if (uri.transport == DeviceUri::Transport::tcp) {
    const bool v6 = uri.host.find(':') != std::string::npos;
    return "tcp://" + (v6 ? "[" + uri.host + "]" : uri.host) + ":" + std::to_string(uri.port) +
           "?unit=" + std::to_string(uri.unit);
  }
  return "rtu://" + uri.device + "?baud=" + std::to_string(uri.baud) + "&parity=" + uri.parity +
         "&data_bits=" + std::to_string(uri.data_bits) +
         "&stop_bits=" + std::to_string(uri.stop_bits) + "&unit=" + std::to_string(uri.unit);
}

}  // namespace traction
