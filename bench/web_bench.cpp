// SPDX-License-Identifier: Apache-2.0
// tractiond-web (the bedside panel) against a real tractiond and traction-sim, with a Modbus tap
// between daemon and simulator, printed as one JSON object under "web":
//   stop         STOP as the page sends it on the click (device.estop on the panel's STOP
//                WebSocket) → the first command on the Modbus wire that turns the ramp back (the
//                release), N presses during a 5 deg/s ramp at 100 Hz
//   stop_loaded  the same while another page pulls the session history with its samples
//   direct       device.estop written straight to the daemon's socket (tractionctl's path): the
//                baseline; stop minus direct is what the panel adds
//   panel        tractiond-web's resident memory and CPU share with P pages subscribed at 20 Hz
//                during a session
// "Turns the ramp back" is the first written target below the ramp's extrapolation (the ramp
// writes whole counts of the register, 0.001 deg, each cycle): the governor's jerk limit (80
// deg/s^3 on the simulated table) keeps the release's first two cycles below one count, so this is
// the first release command the wire can show, up to two cycles after the one in which the daemon
// acted. The same holds for all three figures; their difference is the panel's own cost.
//   web_bench [--presses 50] [--pages 4] [--seconds 10]
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include "bench/tapped_rig.hpp"
#include "drivers/device_file.hpp"
#include "tests/web/ws_client.hpp"

namespace traction::bench {
namespace {

using web::testing::WsClient;

struct Args {
  int presses = 50;
  int pages = 4;
  double seconds = 10.0;
};

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const std::string value = argv[i + 1];
    if (key == "--presses") a.presses = std::stoi(value);
    if (key == "--pages") a.pages = std::stoi(value);
    if (key == "--seconds") a.seconds = std::stod(value);
  }
  return a;
}

double ms_between(BenchClock::time_point from, BenchClock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

// tractiond-web in front of the tapped rig's daemon.
class Panel {
 public:
  explicit Panel(TappedRig& bench) {
    const std::string dir = bench.rig().dir();
    process_ = std::make_unique<e2e::Process>(
        std::vector<std::string>{e2e::build_path("web/tractiond-web"), "--listen", "127.0.0.1:0",
                                 "--socket", bench.socket_path(), "--port-file", dir + "/web.port",
                                 "--kiosk", "admin"},
        dir + "/web.log");
    if (wait_until([&] { return !e2e::read_file(dir + "/web.port").empty(); }, 10s)) {
      port_ = std::stoi(e2e::read_file(dir + "/web.port"));
    }
  }
  int port() const { return port_; }
  pid_t pid() const { return process_->pid(); }

 private:
  std::unique_ptr<e2e::Process> process_;
  int port_ = 0;
};

// The written target of each command block (FC16 covering the target register), in order.
struct TargetWrite {
  BenchClock::time_point at;
  double target;
};

std::vector<TargetWrite> target_writes(const std::vector<TapFrame>& frames,
                                       const SignalSpec& spec) {
  std::vector<TargetWrite> out;
  for (const TapFrame& f : frames) {
    if (!f.request || f.function != 16 || spec.address < f.address ||
        spec.address + spec.width() > f.address + static_cast<int>(f.words.size())) {
      continue;
    }
    out.push_back({f.at, decode_value(spec, f.words.data() + (spec.address - f.address))});
  }
  return out;
}

// Milliseconds from `pressed` to the first write below the ramp's extrapolation; -1 when none.
double release_ms(const std::vector<TargetWrite>& writes, BenchClock::time_point pressed) {
  std::size_t first = 0;
  while (first < writes.size() && writes[first].at < pressed) ++first;
  if (first < 2 || first >= writes.size()) return -1.0;
  const double last = writes[first - 1].target;
  const double step = last - writes[first - 2].target;
  double previous = last;
  int moves = 0;
  for (std::size_t i = first; i < writes.size(); ++i) {
    // The same target again is no command to move: the write an estop makes at once, between two
    // cycles, holds the setpoint where it was (a drive that holds on its quick stop is released
    // through the governor from the next cycle on).
    if (writes[i].target == previous) continue;
    previous = writes[i].target;
    const double expected = last + step * static_cast<double>(++moves);
    if (writes[i].target < expected - 0.0005) return ms_between(pressed, writes[i].at);
  }
  return -1.0;
}

// One way of sending STOP: returns when the daemon has answered (false on no answer).
using StopSender = std::function<bool()>;

nlohmann::json measure_stops(TappedRig& bench, const SignalSpec& target, int presses,
                             const StopSender& send_stop) {
  std::vector<double> release, acknowledged;
  int missed = 0;
  for (int i = 0; i < presses; ++i) {
    if (!bench.ramp_under_way(20.0, 5.0, 3.0))
      return {{"error", "the ramp did not get under way"}, {"press", i}};
    bench.tap().clear();
    std::this_thread::sleep_for(
        std::chrono::milliseconds(30 + (i * 7) % 20));  // any phase of a cycle
    const auto pressed = BenchClock::now();
    const bool answered = send_stop();
    const auto replied = BenchClock::now();
    wait_until([&] { return bench.rig().status().value("state", "") == "estop"; }, 5s);
    std::this_thread::sleep_for(200ms);  // the release under way, on record
    const double ms = release_ms(target_writes(bench.tap().take(), target), pressed);
    if (!answered || ms < 0) {
      ++missed;
      continue;
    }
    release.push_back(ms);
    acknowledged.push_back(ms_between(pressed, replied));
  }
  return {{"presses", presses},
          {"release_ms", summary(release)},
          {"reply_ms", summary(acknowledged)},
          {"missed", missed}};
}

// A page that keeps asking for the newest session with its samples (large replies) on /ws.
class HistoryLoad {
 public:
  explicit HistoryLoad(int port) : page_(port, "/ws") {
    page_.wait_for(nullptr, "panel.hello");
    thread_ = std::thread([this] {
      while (!stop_) {
        auto list = page_.call("history.list", {{"limit", 1}});
        if (!list || !list->contains("result") || (*list)["result"]["sessions"].empty()) continue;
        const auto id = (*list)["result"]["sessions"][0]["id"];
        if (page_.call("history.get", {{"id", id}, {"samples", true}})) ++replies_;
      }
    });
  }
  ~HistoryLoad() {
    stop_ = true;
    thread_.join();
  }
  long replies() const { return replies_; }

 private:
  WsClient page_;
  std::atomic<bool> stop_{false};
  std::atomic<long> replies_{0};
  std::thread thread_;
};

nlohmann::json measure_stop(const Args& args, const SignalSpec& target) {
  TappedRig bench("inversion", 100.0);
  if (!bench.rig().ready()) return {{"error", "rig did not start"}};
  Panel panel(bench);
  if (panel.port() == 0) return {{"error", "tractiond-web did not start"}};
  WsClient stop_socket(panel.port(), "/ws/stop");
  if (!stop_socket.open()) return {{"error", "the STOP socket was refused"}};
  int id = 0;
  const StopSender over_panel = [&] {
    stop_socket.send(nlohmann::json{{"jsonrpc", "2.0"}, {"id", ++id}, {"method", "device.estop"}});
    const auto reply = stop_socket.wait_for(id, "", 5s);
    return reply && reply->contains("result");
  };
  auto direct_client = e2e::RpcClient::connect(bench.socket_path());
  if (!direct_client) return {{"error", "no direct connection"}};
  const StopSender direct = [&] {
    auto reply = (*direct_client)->call("device.estop", nlohmann::json::object(), 5000);
    return reply.ok() && !reply->error;
  };
  nlohmann::json out;
  out["rate_hz"] = 100.0;
  out["stop"] = measure_stops(bench, target, args.presses, over_panel);
  out["direct"] = measure_stops(bench, target, args.presses, direct);
  {
    HistoryLoad load(panel.port());
    out["stop_loaded"] = measure_stops(bench, target, args.presses, over_panel);
    out["stop_loaded"]["history_replies_meanwhile"] = load.replies();
  }
  const auto p99 = [&](const char* part) {
    const nlohmann::json& figure = out[part].value("release_ms", nlohmann::json::object());
    return figure.contains("p99") && figure["p99"].is_number() ? figure["p99"].get<double>()
                                                               : std::nan("");
  };
  const double added = p99("stop") - p99("direct");
  out["added_p99_ms"] = nullptr;
  if (!std::isnan(added)) out["added_p99_ms"] = std::round(added * 1000) / 1000;
  return out;
}

nlohmann::json measure_panel(const Args& args) {
  TappedRig bench("inversion", 100.0);
  if (!bench.rig().ready()) return {{"error", "rig did not start"}};
  Panel panel(bench);
  if (panel.port() == 0) return {{"error", "tractiond-web did not start"}};
  std::atomic<bool> stop{false};
  std::atomic<long> updates{0};
  std::vector<std::thread> pages;
  for (int i = 0; i < args.pages; ++i) {
    pages.emplace_back([&, i] {
      WsClient page(panel.port(), "/ws");
      page.wait_for(nullptr, "panel.hello");
      page.call("status.subscribe", {{"rate_hz", 20}});
      while (!stop) {
        auto message = page.read(200ms);
        if (message && message->value("method", "") == "status.update") ++updates;
      }
      (void)i;
    });
  }
  bench.start_session(20.0, 2.0, 60.0);
  std::this_thread::sleep_for(1s);  // pages connected and subscribed
  const long updates_before = updates;
  const double cpu_before = cpu_seconds(panel.pid());
  const auto from = BenchClock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(args.seconds));
  const double window = std::chrono::duration<double>(BenchClock::now() - from).count();
  const double cpu = cpu_seconds(panel.pid()) - cpu_before;
  const long received = updates - updates_before;
  const double rss = status_kib(panel.pid(), "VmRSS");
  const double peak = status_kib(panel.pid(), "VmHWM");
  stop = true;
  for (auto& page : pages) page.join();
  bench.rig().call("session.stop");
  return {{"pages", args.pages},
          {"update_hz_per_page", 20},
          {"seconds", std::round(window * 10) / 10},
          {"updates_received_per_s", std::round(received / window)},
          {"rss_mib", std::round(rss / 1024 * 100) / 100},
          {"peak_rss_mib", std::round(peak / 1024 * 100) / 100},
          {"cpu_percent", std::round(cpu / window * 1000) / 10}};
}

}  // namespace
}  // namespace traction::bench

int main(int argc, char** argv) {
  using namespace traction::bench;
  ::signal(SIGPIPE, SIG_IGN);
  const Args args = parse_args(argc, argv);
  auto device = traction::load_device_file(std::string(TRACTION_SOURCE_DIR) +
                                           "/config/devices/sim-inversion.json");
  const traction::SignalSpec* target = device.ok() ? device->registers.find("target") : nullptr;
  if (target == nullptr) {
    std::fprintf(stderr, "web_bench: no target register in sim-inversion.json\n");
    return 1;
  }
  nlohmann::json web;
  web["stop_latency"] = measure_stop(args, *target);
  web["panel"] = measure_panel(args);
  std::printf("%s\n", nlohmann::json{{"web", web}}.dump(2).c_str());
  return 0;
}
