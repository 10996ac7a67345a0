// SPDX-License-Identifier: Apache-2.0
#include "daemon/service/journal_sink.hpp"

#include <sys/uio.h>
#include <syslog.h>
#include <systemd/sd-journal.h>

#include <vector>

namespace traction {
namespace {

int syslog_priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return LOG_DEBUG;
    case spdlog::level::info:
      return LOG_INFO;
    case spdlog::level::warn:
      return LOG_WARNING;
    case spdlog::level::err:
      return LOG_ERR;
    case spdlog::level::critical:
      return LOG_CRIT;
    case spdlog::level::off:
    case spdlog::level::n_levels:
      break;
  }
  return LOG_INFO;
}

}  // namespace

JournalSink::JournalSink(std::string identifier, const SessionLogTag& tag)
    : identifier_(std::move(identifier)), tag_(tag) {}

void JournalSink::sink_it_(const spdlog::details::log_msg& message) {
  std::vector<std::string> fields;
  fields.reserve(6);
  fields.push_back("MESSAGE=" + std::string(message.payload.data(), message.payload.size()));
  fields.push_back("PRIORITY=" + std::to_string(syslog_priority(message.level)));
  fields.push_back("SYSLOG_IDENTIFIER=" + identifier_);
  if (const std::string session = tag_.session_id(); !session.empty()) {
    fields.push_back("TRACTION_SESSION=" + session);
  }
  if (!message.source.empty()) {
    fields.push_back(std::string("CODE_FILE=") + message.source.filename);
    fields.push_back("CODE_LINE=" + std::to_string(message.source.line));
  }
  std::vector<iovec> vector;
  vector.reserve(fields.size());
  for (std::string& field : fields) vector.push_back({field.data(), field.size()});
  // A journal that is not there loses the record; there is nowhere better to report that.
  sd_journal_sendv(vector.data(), static_cast<int>(vector.size()));
}

}  // namespace traction
