// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for request parsing: any bytes a client may send as one line go through the
// codec and the parameter check of the method table. Invariants: decoding never throws, gives
// either a request or an error, and every encoded reply is exactly one line of valid JSON.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "daemon/server/jsonrpc.hpp"
#include "daemon/server/method_table.hpp"

namespace {

void check_one_line(const std::string& encoded) {
  if (encoded.empty() || encoded.find('\n') != encoded.size() - 1) std::abort();
  if (nlohmann::json::parse(encoded, nullptr, false).is_discarded()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace traction;
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  const rpc::Decoded decoded = rpc::decode_request(line);
  if (decoded.request.has_value() == decoded.error.has_value()) std::abort();
  if (decoded.error) {
    check_one_line(rpc::encode_error(decoded.error_id, *decoded.error));
    return 0;
  }
  const rpc::Request& request = *decoded.request;
  if (const MethodSpec* spec = find_method(request.method)) {
    if (auto error = check_params(spec->params, request.params)) {
      check_one_line(rpc::encode_error(request.id, *error));
    }
  }
  check_one_line(rpc::encode_reply(request.id, rpc::RpcReply::ok(request.params)));
  return 0;
}
