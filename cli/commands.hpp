// SPDX-License-Identifier: Apache-2.0
// tractionctl's commands: each connects, calls the daemon, prints, and returns an exit code.
#pragma once

#include <string>

namespace traction::ctl {

// Documented in tractionctl --help and docs/protocol.md.
enum ExitCode : int {
  kOk = 0,
  kDaemonError = 1,    // the daemon answered with an error (reason and message printed)
  kUsage = 2,          // bad command line
  kCannotConnect = 3,  // no daemon at the socket, or the connection was lost
  kSessionFailed = 4,  // a followed session ended with an outcome other than completed
  kInterrupted = 130,  // Ctrl-C while following: the session itself goes on
};

struct Options {
  std::string socket_path;
  bool json = false;    // raw JSON results instead of text
  std::string profile;  // validate, run, limits
  std::string target;   // program NAME or FILE, or a name for show
  bool follow = false;  // run
};

// The socket path when --socket is not given: $TRACTIOND_SOCKET, else the packaged default.
std::string default_socket_path();

int info(const Options& options);
int status(const Options& options);
int watch(const Options& options);
int programs(const Options& options);
int show(const Options& options);
int profiles(const Options& options);
int limits(const Options& options);
int validate(const Options& options);
int run(const Options& options);
// session.pause, session.resume, session.stop, device.estop, device.reset.
int simple_command(const Options& options, const std::string& method);

}  // namespace traction::ctl
