// SPDX-License-Identifier: Apache-2.0
#include "mqtt/connack_text.hpp"

namespace traction::mqtt {
namespace {

std::string who(const std::string& username) {
  return username.empty() ? "an anonymous client (no username configured)"
                          : "user \"" + username + "\"";
}

std::string authentication(const std::string& username, const char* code) {
  return std::string("connection refused, authentication failed (") + code + "): the broker " +
         "did not accept " + who(username) + "; check username and password in the config";
}

}  // namespace

std::string connack_refusal_text(int rc, const std::string& username,
                                 const std::string& client_id) {
  switch (rc) {
    case 1:
      return "connection refused: the broker does not accept MQTT 3.1.1 (unacceptable protocol "
             "version)";
    case 2:
      return "connection refused: the broker rejected client id \"" + client_id + "\" (client_id)";
    case 3:
      return "connection refused: the broker says its service is unavailable";
    case 4:
      return authentication(username, "bad user name or password");
    case 5:
      return authentication(username, "not authorised");
    default:
      return "connection refused by the broker (CONNACK code " + std::to_string(rc) + ")";
  }
}

}  // namespace traction::mqtt
