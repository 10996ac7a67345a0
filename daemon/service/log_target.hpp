// SPDX-License-Identifier: Apache-2.0
// Where log records go: the systemd journal (structured, with TRACTION_SESSION=) when stderr is
// connected to it, stderr otherwise. systemd sets $JOURNAL_STREAM to the device and inode of the
// stream it connected; when they match our stderr the output really goes to the journal
// (sd-daemon(3), systemd.exec(5)), which a redirect in the unit or a shell would change.
#pragma once

#include <string>

#include "daemon/service/session_log_tag.hpp"

namespace traction {

enum class LogTarget { automatic, journal, stderr_stream };

// True when $JOURNAL_STREAM names the file open on `fd`.
bool stream_is_journal(const char* journal_stream, int fd);
// Installs the default logger for `target` ("automatic" decides with stream_is_journal on stderr).
// `tag` must outlive logging. Returns the target chosen.
LogTarget configure_logging(LogTarget target, const SessionLogTag& tag);

}  // namespace traction
