// SPDX-License-Identifier: Apache-2.0
// The physical limit of a control loop as a process: bare libmodbus doing one daemon cycle's
// transactions (bench/bare_cycle.hpp) at a fixed rate with absolute deadlines on the monotonic
// clock (clock_nanosleep TIMER_ABSTIME), against traction-sim over TCP, and nothing else. A cycle
// that overruns skips the missed periods, as the daemon's loop does. footprint_bench runs it beside
// the daemon and bench/pymodbus_poll.py; the arguments are pymodbus_poll.py's:
//   bare_modbus_loop --port P [--rate 100] [--seconds 30] --read holding:0:6 ... [--write 0:4]
// Prints "bare_modbus_loop: C cycles, F failures, O overruns" on stderr; exits 1 on a failure.
#include <time.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "bench/bare_cycle.hpp"

namespace {

using traction::bench::CycleTransactions;

struct Args {
  int port = 0;
  double rate_hz = 100.0;
  double seconds = 30.0;
  CycleTransactions transactions;
};

bool parse_write(const std::string& spec, CycleTransactions& t) {
  const auto colon = spec.find(':');
  if (colon == std::string::npos) return false;
  t.write_address = std::atoi(spec.substr(0, colon).c_str());
  t.write_count = std::atoi(spec.substr(colon + 1).c_str());
  return t.write_address >= 0 && t.write_count >= 2 && t.write_count <= 123;
}

bool parse_args(int argc, char** argv, Args& a) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const std::string value = argv[i + 1];
    if (key == "--port") {
      a.port = std::atoi(value.c_str());
    } else if (key == "--rate") {
      a.rate_hz = std::atof(value.c_str());
    } else if (key == "--seconds") {
      a.seconds = std::atof(value.c_str());
    } else if (key == "--read") {
      const auto read = traction::bench::parse_read(value);
      if (!read) return false;
      a.transactions.reads.push_back(*read);
    } else if (key == "--write") {
      if (!parse_write(value, a.transactions)) return false;
    } else {
      return false;
    }
  }
  return a.port > 0 && a.rate_hz > 0 && !a.transactions.reads.empty();
}

void add_ns(timespec& t, long long ns) {
  const long long total = t.tv_nsec + ns;
  t.tv_sec += static_cast<time_t>(total / 1000000000LL);
  t.tv_nsec = static_cast<long>(total % 1000000000LL);
}

bool before(const timespec& a, const timespec& b) {
  return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!parse_args(argc, argv, args)) {
    std::fprintf(stderr,
                 "usage: bare_modbus_loop --port P [--rate HZ] [--seconds S] --read "
                 "holding|input:ADDRESS:COUNT ... [--write ADDRESS:COUNT]\n");
    return 2;
  }
  modbus_t* ctx = modbus_new_tcp("127.0.0.1", args.port);
  if (ctx == nullptr || modbus_set_slave(ctx, 1) != 0 || modbus_connect(ctx) != 0) {
    std::fprintf(stderr, "bare_modbus_loop: cannot connect: %s\n", modbus_strerror(errno));
    return 1;
  }
  modbus_set_response_timeout(ctx, 1, 0);
  const long long period_ns = static_cast<long long>(1e9 / args.rate_hz);
  timespec deadline{};
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  timespec end = deadline;
  add_ns(end, static_cast<long long>(args.seconds * 1e9));
  std::uint16_t heartbeat = 0;
  long cycles = 0, failures = 0, overruns = 0;
  while (before(deadline, end)) {
    add_ns(deadline, period_ns);
    if (!traction::bench::bare_cycle(ctx, args.transactions, heartbeat)) ++failures;
    ++cycles;
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (before(deadline, now)) {
      ++overruns;
      deadline = now;  // skip the missed periods instead of bursting to catch up
      continue;
    }
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nullptr) == EINTR) {
    }
  }
  modbus_close(ctx);
  modbus_free(ctx);
  std::fprintf(stderr, "bare_modbus_loop: %ld cycles, %ld failures, %ld overruns\n", cycles,
               failures, overruns);
  return failures == 0 ? 0 : 1;
}
