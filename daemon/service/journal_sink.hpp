// SPDX-License-Identifier: Apache-2.0
// An spdlog sink that writes structured records to the systemd journal: MESSAGE, PRIORITY,
// SYSLOG_IDENTIFIER, CODE_FILE/CODE_LINE when known, and TRACTION_SESSION= while a session runs
// (`journalctl TRACTION_SESSION=<id>` lists one session's story).
#pragma once

#include <spdlog/sinks/base_sink.h>

#include <mutex>
#include <string>

#include "daemon/service/session_log_tag.hpp"

namespace traction {

class JournalSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  // `tag` must outlive the sink.
  JournalSink(std::string identifier, const SessionLogTag& tag);

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override;
  void flush_() override {}

 private:
  const std::string identifier_;
  const SessionLogTag& tag_;
};

}  // namespace traction
