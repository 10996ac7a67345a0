// SPDX-License-Identifier: Apache-2.0
#include "daemon/service/log_target.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "daemon/service/journal_sink.hpp"

namespace traction {

bool stream_is_journal(const char* journal_stream, int fd) {
  if (journal_stream == nullptr) return false;
  unsigned long long device = 0;
  unsigned long long inode = 0;
  if (std::sscanf(journal_stream, "%llu:%llu", &device, &inode) != 2) return false;
  struct stat info {};
  if (::fstat(fd, &info) != 0) return false;
  return static_cast<unsigned long long>(info.st_dev) == device &&
         static_cast<unsigned long long>(info.st_ino) == inode;
}

LogTarget configure_logging(LogTarget target, const SessionLogTag& tag) {
  if (target == LogTarget::automatic) {
    target = stream_is_journal(std::getenv("JOURNAL_STREAM"), STDERR_FILENO)
                 ? LogTarget::journal
                 : LogTarget::stderr_stream;
  }
  spdlog::sink_ptr sink;
  if (target == LogTarget::journal) {
    sink = std::make_shared<JournalSink>("tractiond", tag);
  } else {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  }
  auto logger = std::make_shared<spdlog::logger>("tractiond", std::move(sink));
  if (target == LogTarget::stderr_stream) {
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e [%l] %v");  // the journal stamps its own time
  }
  spdlog::set_default_logger(std::move(logger));
  return target;
}

}  // namespace traction
