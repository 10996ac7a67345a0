// SPDX-License-Identifier: Apache-2.0
// Emergency stop latency against a real traction-sim and tractiond, seen on the wire (a ModbusTap
// between them), printed as one JSON object under "estop" ("estop_fifo" with the control thread
// under SCHED_FIFO, --realtime-priority N):
//   during_activation  device.estop sent while the drive is being enabled (after the switch-on
//                      command was seen on the wire, at a random point of the next period)
//   validate_flood     device.estop sent during a ramp while F other connections send the largest
//                      program.validate requests back to back (bench/validate_flood.hpp)
// Latency: from the moment the request is sent to the first command write that stops: a quick
// stop, a disable, or a control word that steps back down the enable sequence. The daemon's
// device file here is sim-inversion.json with reactions.quick_stop "home" — what traction-sim's
// drive does by default — so that the release is the drive's own quick stop, visible in the very
// command the daemon writes when it acts (with "hold" the daemon releases through its governor,
// whose jerk limit keeps the first cycles of the turn below one register count; web_bench
// measures that). Goal: p99 <= one period + 2 ms.
//   estop_bench [--trials 100] [--flooders 4] [--realtime-priority 0]
#include <signal.h>

#include <cstdio>
#include <random>

#include "bench/tapped_rig.hpp"
#include "bench/validate_flood.hpp"
#include "drivers/cia402.hpp"
#include "drivers/device_file.hpp"

namespace traction::bench {
namespace {

constexpr double kRate = 100.0;

struct Args {
  int trials = 100;
  int flooders = 4;
  int realtime_priority = 0;  // control.realtime_priority of the daemon (0: normal scheduling)
};

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    if (key == "--trials") a.trials = std::max(1, std::stoi(argv[i + 1]));
    if (key == "--flooders") a.flooders = std::max(1, std::stoi(argv[i + 1]));
    if (key == "--realtime-priority") a.realtime_priority = std::stoi(argv[i + 1]);
  }
  return a;
}

// sim-inversion.json with the drive's quick stop declared to bring the axis home, in `dir`.
std::string quick_stop_device_file(const std::string& dir) {
  std::ifstream in(std::string(TRACTION_SOURCE_DIR) + "/config/devices/sim-inversion.json");
  nlohmann::json device = nlohmann::json::parse(in, nullptr, false);
  if (device.is_discarded()) return "";
  device["reactions"] = {{"quick_stop", "home"}};
  const std::string file = dir + "/sim-inversion-quick-stop.json";
  std::ofstream(file) << device.dump(2) << "\n";
  return file;
}

// The frames the tap records, gathered as they come so that a trial can wait on what it sees.
class Wire {
 public:
  explicit Wire(ModbusTap& tap) : tap_(tap) {}
  void clear() {
    tap_.clear();
    frames_.clear();
  }
  // Polls the tap every 0.2 ms until `seen` holds for a frame recorded so far, or `timeout`.
  template <class Pred>
  bool wait_for(Pred seen, std::chrono::milliseconds timeout) {
    const auto until = BenchClock::now() + timeout;
    std::size_t checked = 0;
    while (BenchClock::now() < until) {
      for (TapFrame& f : tap_.take()) frames_.push_back(std::move(f));
      for (; checked < frames_.size(); ++checked) {
        if (seen(frames_[checked])) return true;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    return false;
  }
  const std::vector<TapFrame>& frames() const { return frames_; }

 private:
  ModbusTap& tap_;
  std::vector<TapFrame> frames_;
};

// The control word of a command write (FC16 covering the control word register), if `f` is one.
std::optional<std::uint16_t> control_word(const TapFrame& f, int address) {
  if (!f.request || f.function != 16 || address < f.address ||
      address >= f.address + static_cast<int>(f.words.size())) {
    return std::nullopt;
  }
  return f.words[static_cast<std::size_t>(address - f.address)];
}

// Rank of a control word in the enable sequence (shutdown < switch on < enable operation); 0 else.
int enable_rank(std::uint16_t cw) {
  switch (cw) {
    case cia402::kShutdown:
      return 1;
    case cia402::kSwitchOn:
      return 2;
    case cia402::kEnableOperation:
      return 3;
    default:
      return 0;
  }
}

// A command that stops: quick stop (bits 1 set, 2 clear), disable voltage (bit 1 clear), or a
// step back down the enable sequence from the highest step written so far.
bool stops(std::uint16_t cw, int highest_rank) {
  if ((cw & cia402::kFaultResetBit) != 0) return false;
  if ((cw & 0x0006) == cia402::kQuickStop || (cw & 0x0002) == 0) return true;
  const int rank = enable_rank(cw);
  return rank > 0 && rank < highest_rank;
}

// Milliseconds from `sent` to the first stopping command write; -1 when none.
double stop_latency_ms(const std::vector<TapFrame>& frames, BenchClock::time_point sent,
                       int cw_address) {
  int highest = 0;
  for (const TapFrame& f : frames) {
    const auto cw = control_word(f, cw_address);
    if (!cw) continue;
    if (f.at >= sent && stops(*cw, highest))
      return std::chrono::duration<double, std::milli>(f.at - sent).count();
    highest = std::max(highest, enable_rank(*cw));
  }
  return -1.0;
}

struct Trials {
  std::vector<double> latency_ms;
  int missed = 0;
  int in_activation = 0;  // estops sent before the enable-operation command was on the wire

  nlohmann::json json(int trials) const {
    const double target = 1000.0 / kRate + 2.0;
    const double p99 = percentile(latency_ms, 0.99);
    return {{"trials", trials},
            {"latency_ms", summary(latency_ms)},
            {"missed", missed},
            {"target_p99_ms", target},
            {"meets_target", missed == 0 && p99 <= target}};
  }
};

class EstopBench {
 public:
  EstopBench(TappedRig& bench, int cw_address)
      : bench_(bench), wire_(bench.tap()), cw_address_(cw_address) {
    auto client = e2e::RpcClient::connect(bench.socket_path());
    if (client) client_ = std::move(*client);
  }
  bool ready() const { return client_ != nullptr; }

  // Sends device.estop after `delay`; records the latency of the stop it causes.
  void estop_after(std::chrono::duration<double> delay, Trials& t) {
    std::this_thread::sleep_for(delay);
    const auto sent = BenchClock::now();
    const auto reply = client_->call("device.estop", nlohmann::json::object(), 5000);
    const int cw = cw_address_;
    wire_.wait_for([&](const TapFrame& f) { return f.at >= sent && control_word(f, cw); }, 1s);
    wire_.wait_for([&](const TapFrame&) { return stop_latency_ms(wire_.frames(), sent, cw) >= 0; },
                   1s);
    const double ms = stop_latency_ms(wire_.frames(), sent, cw);
    if (!reply || reply->error || ms < 0) {
      ++t.missed;
    } else {
      t.latency_ms.push_back(ms);
    }
    for (const TapFrame& f : wire_.frames()) {
      if (f.at < sent && control_word(f, cw) == cia402::kEnableOperation) return;
    }
    ++t.in_activation;
  }

  nlohmann::json during_activation(int trials) {
    std::mt19937 random(14);
    std::uniform_real_distribution<double> phase(0.0, 0.8 / kRate);
    Trials t;
    for (int i = 0; i < trials; ++i) {
      if (!bench_.back_to_idle()) return {{"error", "the daemon did not return to idle"}};
      wire_.clear();
      if (bench_.start_session(10.0, 5.0, 30.0).empty())
        return {{"error", "session did not start"}, {"trial", i}};
      const int cw = cw_address_;
      if (!wire_.wait_for(
              [&](const TapFrame& f) { return control_word(f, cw) == cia402::kSwitchOn; }, 5s)) {
        ++t.missed;
        continue;
      }
      estop_after(std::chrono::duration<double>(phase(random)), t);
    }
    nlohmann::json out = t.json(trials);
    out["in_activation"] = t.in_activation;
    return out;
  }

  nlohmann::json under_validate_flood(int trials, int flooders) {
    std::mt19937 random(18);
    std::uniform_real_distribution<double> phase(0.0, 1.0 / kRate);
    Trials t;
    ValidateFlood flood(bench_.socket_path(), flooders);
    const auto from = BenchClock::now();
    for (int i = 0; i < trials; ++i) {
      if (!bench_.ramp_under_way(20.0, 5.0, 1.0))
        return {{"error", "the ramp did not get under way"}, {"trial", i}};
      wire_.clear();
      estop_after(std::chrono::duration<double>(0.03 + phase(random)), t);
    }
    const double window = std::chrono::duration<double>(BenchClock::now() - from).count();
    flood.stop();
    nlohmann::json out = t.json(trials);
    out["flooders"] = flood.clients();
    out["validate_request_bytes"] = flood.request_bytes();
    out["validate_replies_per_s"] = std::round(flood.replies() / window * 10) / 10;
    out["validate_refused_busy"] = flood.busy();
    out["validate_failures"] = flood.failures();
    return out;
  }

 private:
  TappedRig& bench_;
  Wire wire_;
  int cw_address_;
  std::unique_ptr<e2e::RpcClient> client_;
};

nlohmann::json measure(const Args& args) {
  char tmpl[] = "/tmp/tractiond-estop-bench.XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  BenchConfig config;
  config.device_file = quick_stop_device_file(dir);
  config.realtime_priority = args.realtime_priority;
  auto device = load_device_file(config.device_file);
  const SignalSpec* cw = device.ok() ? device->registers.find(Signal::control_word) : nullptr;
  if (cw == nullptr) return {{"error", "no control word in the device file"}};
  TappedRig bench(config);
  if (!bench.rig().ready()) return {{"error", "rig did not start"}};
  EstopBench estops(bench, cw->address);
  if (!estops.ready()) return {{"error", "no connection for the estop"}};
  nlohmann::json out;
  out["rate_hz"] = kRate;
  out["device_reactions"] = {{"quick_stop", "home"}};
  out["realtime_priority"] = args.realtime_priority;
  out["during_activation"] = estops.during_activation(args.trials);
  out["validate_flood"] = estops.under_validate_flood(args.trials, args.flooders);
  bench.back_to_idle();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return out;
}

}  // namespace
}  // namespace traction::bench

int main(int argc, char** argv) {
  using namespace traction::bench;
  ::signal(SIGPIPE, SIG_IGN);
  const Args args = parse_args(argc, argv);
  const char* key = args.realtime_priority > 0 ? "estop_fifo" : "estop";
  std::printf("%s\n", nlohmann::json{{key, measure(args)}}.dump(2).c_str());
  return 0;
}
