// SPDX-License-Identifier: Apache-2.0
#include "mqtt/topics.hpp"

namespace traction::mqtt {

Topics::Topics(const std::string& prefix, const std::string& device_id)
    : base(prefix + "/" + device_id),
      state(base + "/state"),
      live(base + "/live"),
      event(base + "/event"),
      session(base + "/session"),
      availability(base + "/availability"),
      remote_start(base + "/remote_start"),
      command(base + "/command"),
      reply(base + "/reply") {}

std::string device_of(const std::string& topic, const std::string& prefix) {
  const std::string head = prefix + "/";
  if (topic.rfind(head, 0) != 0) return "";
  const auto slash = topic.find('/', head.size());
  if (slash == std::string::npos || topic.find('/', slash + 1) != std::string::npos) return "";
  return topic.substr(head.size(), slash - head.size());
}

}  // namespace traction::mqtt
