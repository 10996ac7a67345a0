// SPDX-License-Identifier: Apache-2.0
#include "daemon/server/jsonrpc.hpp"

#include <array>
#include <cstdint>
#include <utility>

#include "daemon/server/remote_start_grant.hpp"

namespace traction::rpc {
namespace {

struct ReasonCode {
  const char* reason;
  int code;
};

// One stable code per application reason; docs/protocol.md has the same table.
constexpr std::array kReasonCodes{
    ReasonCode{reason::kLimitExceeded, -32001},
    ReasonCode{reason::kSessionActive, -32002},
    ReasonCode{reason::kNoSession, -32003},
    ReasonCode{reason::kDeviceFault, -32004},
    ReasonCode{reason::kDeviceUnavailable, -32005},
    ReasonCode{reason::kDataStale, -32006},
    ReasonCode{reason::kEstopped, -32007},
    ReasonCode{reason::kPermissionDenied, -32008},
    ReasonCode{reason::kInvalidProgram, -32009},
    ReasonCode{reason::kUnknownProgram, -32010},
    ReasonCode{reason::kUnknownProfile, -32011},
    ReasonCode{reason::kStopSwitch, -32012},
    ReasonCode{reason::kNotAtRest, -32013},
    ReasonCode{reason::kStopSwitchPressed, -32014},
    ReasonCode{reason::kUnknownSession, -32015},
    ReasonCode{reason::kHistoryUnavailable, -32016},
    ReasonCode{reason::kRemoteStartNotGranted, -32017},
    ReasonCode{reason::kRemoteConnection, -32018},
    ReasonCode{reason::kSelfTestRunning, -32019},
    ReasonCode{reason::kSelfTestRequired, -32020},
    ReasonCode{reason::kNotAtHome, -32021},
    ReasonCode{server_reason::kTooManyConnections, -32050},
    ReasonCode{server_reason::kTooManyRequests, -32051},
    ReasonCode{server_reason::kIdleTimeout, -32052},
    ReasonCode{server_reason::kRoleNotLower, -32053},
};

RpcError make_error(int code, const char* reason, std::string message) {
  return RpcError{code, std::move(message), reason, nlohmann::json::object()};
}

Decoded fail(int code, const char* reason, std::string message, nlohmann::json id = nullptr) {
  Decoded out;
  out.error = make_error(code, reason, std::move(message));
  out.error_id = std::move(id);
  return out;
}

// Continuation byte 10xxxxxx.
bool is_continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

// Dumps JSON as one line; strings we did not validate (e.g. a reason from a catalog) are replaced
// rather than throwing, so an encoding error can never take a connection down.
std::string dump_line(const nlohmann::json& message) {
  std::string line = message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line.push_back('\n');
  return line;
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t extra = 0;
    std::uint32_t code = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
      code = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      code = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      code = c & 0x07;
    } else {
      return false;  // continuation byte first, overlong 2-byte lead (C0/C1), or > U+10FFFF lead
    }
    if (i + extra >= n) return false;  // truncated sequence
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if (!is_continuation(cc)) return false;
      code = (code << 6) | (cc & 0x3F);
    }
    if (extra == 2 && (code < 0x800 || (code >= 0xD800 && code <= 0xDFFF))) return false;
    if (extra == 3 && (code < 0x10000 || code > 0x10FFFF)) return false;
    i += extra + 1;
  }
  return true;
}

Decoded decode_request(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // tolerate CRLF clients
  if (!is_valid_utf8(line)) {
    return fail(kParseError, server_reason::kParseError, "request is not valid UTF-8");
  }
  nlohmann::json message;
  try {
    message = nlohmann::json::parse(line.begin(), line.end());
  } catch (const nlohmann::json::exception& e) {
    return fail(kParseError, server_reason::kParseError,
                std::string("not valid JSON: ") + e.what());
  }
  if (message.is_array()) {
    return fail(kInvalidRequest, server_reason::kBatchUnsupported,
                "batches are not supported: send one request object per line");
  }
  if (!message.is_object()) {
    return fail(kInvalidRequest, server_reason::kInvalidRequest, "a request must be a JSON object");
  }
  // Recover the id first so that errors about the rest can still be matched by the client.
  nlohmann::json id = nullptr;
  const bool has_id = message.contains("id");
  if (has_id) {
    const auto& raw_id = message["id"];
    if (!(raw_id.is_string() || raw_id.is_number_integer() || raw_id.is_null())) {
      return fail(kInvalidRequest, server_reason::kInvalidRequest,
                  "\"id\" must be a string, an integer or null");
    }
    id = raw_id;
  }
  const auto version = message.find("jsonrpc");
  if (version == message.end() || *version != "2.0") {
    return fail(kInvalidRequest, server_reason::kInvalidRequest, "\"jsonrpc\" must be \"2.0\"", id);
  }
  const auto method = message.find("method");
  if (method == message.end() || !method->is_string()) {
    return fail(kInvalidRequest, server_reason::kInvalidRequest, "\"method\" must be a string", id);
  }
  for (const auto& item : message.items()) {
    const auto& key = item.key();
    if (key != "jsonrpc" && key != "method" && key != "params" && key != "id") {
      return fail(kInvalidRequest, server_reason::kInvalidRequest,
                  "unknown member \"" + key + "\" in request", id);
    }
  }
  Request request;
  request.method = method->get<std::string>();
  request.id = id;
  request.notification = !has_id;
  const auto params = message.find("params");
  if (params != message.end()) {
    if (!params->is_object()) {
      // By-position parameters are legal JSON-RPC but every method here names its parameters.
      return fail(kInvalidParams, server_reason::kInvalidParams,
                  "\"params\" must be an object (parameters are passed by name)", id);
    }
    request.params = *params;
  }
  Decoded out;
  out.request = std::move(request);
  return out;
}

std::string encode_error(const nlohmann::json& id, const RpcError& error) {
  nlohmann::json data = error.data.is_object() ? error.data : nlohmann::json::object();
  data["reason"] = error.reason;
  return dump_line({{"jsonrpc", "2.0"},
                    {"id", id},
                    {"error", {{"code", error.code}, {"message", error.message}, {"data", data}}}});
}

std::string encode_reply(const nlohmann::json& id, const RpcReply& reply) {
  if (reply.error) return encode_error(id, *reply.error);
  return dump_line({{"jsonrpc", "2.0"}, {"id", id}, {"result", reply.result}});
}

std::string encode_notification(const std::string& method, const nlohmann::json& params) {
  return dump_line({{"jsonrpc", "2.0"}, {"method", method}, {"params", params}});
}

int app_error_code(const std::string& reason) {
  for (const auto& entry : kReasonCodes) {
    if (reason == entry.reason) return entry.code;
  }
  return kServerError;
}

RpcError from_api_error(const ApiError& error) {
  RpcError out;
  out.code = app_error_code(error.reason);
  out.message = error.message;
  out.reason = error.reason;
  out.data = error.data.is_object() ? error.data : nlohmann::json::object();
  return out;
}

}  // namespace traction::rpc
