// SPDX-License-Identifier: Apache-2.0
// The daemon runs a program end to end on an independent drive (tests/peers/foreign_device, written
// with pymodbus, a register layout unlike ours described only by its own device file), over Modbus
// TCP and over RTU on a pty pair. The drive's own axis is the ground truth, read beside the daemon.
#include <gtest/gtest.h>
#include <modbus/modbus.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <thread>

#include "tests/driver/driver_test_support.hpp"
#include "tests/e2e/process_harness.hpp"

namespace traction::e2e {
namespace {

using testing::ForeignDevice;
using testing::TempDir;

// tractiond on a temporary socket and state directory, against `device_uri`.
class Daemon {
 public:
  Daemon(const std::string& dir, const std::string& config, const std::string& device_uri)
      : dir_(dir),
        process_({build_path("daemon/tractiond"), "--config", config, "--device-uri", device_uri,
                  "--socket", dir + "/d.sock", "--state-dir", dir + "/state"},
                 dir + "/tractiond.log") {
    wait_until(
        [&] {
          if (!client_) {
            auto c = RpcClient::connect(dir_ + "/d.sock");
            if (!c) return false;
            client_ = std::move(*c);
          }
          return state() == "idle";
        },
        std::chrono::seconds(15));
  }

  nlohmann::json call(const std::string& method,
                      const nlohmann::json& params = nlohmann::json::object()) {
    if (!client_) return {{"error", "no connection to the daemon"}};
    auto r = client_->call(method, params, 5000);
    if (!r) return {{"error", r.status().message()}};
    if (r->error) return {{"error", {{"code", r->error->code}, {"message", r->error->message}}}};
    return {{"result", r->result}};
  }
  nlohmann::json status() { return call("status.get").value("result", nlohmann::json::object()); }
  std::string state() { return status().value("state", ""); }
  std::string log() const { return read_file(dir_ + "/tractiond.log"); }

 private:
  std::string dir_;
  Process process_;
  std::unique_ptr<RpcClient> client_;
};

// Polls the foreign drive's actual angle (input 202, f32 low word first) on its own TCP connection
// and keeps the extremes, independently of the daemon.
class AxisWatcher {
 public:
  explicit AxisWatcher(int port) : thread_([this, port] { run(port); }) {}
  ~AxisWatcher() {
    stop_ = true;
    thread_.join();
  }
  AxisWatcher(const AxisWatcher&) = delete;
  AxisWatcher& operator=(const AxisWatcher&) = delete;

  double peak() const { return peak_; }
  double lowest() const { return lowest_; }
  double last() const { return last_; }
  int samples() const { return samples_; }

 private:
  void run(int port) {
    modbus_t* ctx = modbus_new_tcp("127.0.0.1", port);
    modbus_set_slave(ctx, 1);
    modbus_set_response_timeout(ctx, 1, 0);
    if (modbus_connect(ctx) == 0) {
      while (!stop_) {
        std::uint16_t words[2] = {0, 0};
        if (modbus_read_input_registers(ctx, 202, 2, words) == 2) {
          const std::uint32_t bits = (std::uint32_t{words[1]} << 16) | words[0];
          float angle = 0.0F;
          std::memcpy(&angle, &bits, sizeof angle);
          last_ = angle;
          peak_ = std::max(peak_.load(), static_cast<double>(angle));
          lowest_ = std::min(lowest_.load(), static_cast<double>(angle));
          ++samples_;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // sampling period, not a wait
      }
    }
    modbus_close(ctx);
    modbus_free(ctx);
  }

  std::atomic<bool> stop_{false};
  std::atomic<double> peak_{-1e9};
  std::atomic<double> lowest_{1e9};
  std::atomic<double> last_{0.0};
  std::atomic<int> samples_{0};
  std::thread thread_;
};

const std::string kConfig = source_path("tests/peers/foreign_device/tractiond.json");

// Runs quick-check (ramp to 15°, hold 5 s, release home) and checks the drive's own axis.
void run_quick_check(Daemon& daemon, const AxisWatcher& axis) {
  ASSERT_EQ(daemon.state(), "idle") << daemon.log();
  const auto started = daemon.call("session.start", {{"program", "quick-check"}});
  ASSERT_TRUE(started.contains("result")) << started.dump();
  const std::string id = started["result"]["session_id"];
  nlohmann::json last;
  const bool ended = wait_until(
      [&] {
        last = daemon.status().value("last_session", nlohmann::json());
        return last.is_object() && last.value("id", "") == id;
      },
      std::chrono::seconds(40));
  ASSERT_TRUE(ended) << daemon.log();
  EXPECT_EQ(last["outcome"], "completed") << last.dump();
  EXPECT_TRUE(wait_until([&] { return std::abs(axis.last()) < 0.2; }, std::chrono::seconds(5)))
      << "the drive's axis is at " << axis.last() << " deg after the session";
  EXPECT_GT(axis.samples(), 100);
  EXPECT_NEAR(axis.peak(), 15.0, 0.5);
  EXPECT_GT(axis.lowest(), -0.5) << "the axis went below home";
  EXPECT_EQ(daemon.status()["state"], "idle");
}

TEST(ForeignDeviceE2E, daemon_runs_a_program_on_the_independent_drive_over_tcp) {
  ForeignDevice drive;
  TempDir dir;
  Daemon daemon(dir.path(), kConfig, "tcp://127.0.0.1:" + std::to_string(drive.port()) + "?unit=1");
  AxisWatcher axis(drive.port());
  run_quick_check(daemon, axis);
}

TEST(ForeignDeviceE2E, daemon_runs_a_program_on_the_independent_drive_over_rtu) {
  TempDir dir;
  // A linked pty pair: the drive serves RTU on one end, the daemon opens the other by path.
  Process socat({"/usr/bin/socat", "pty,raw,echo=0,link=" + dir.path() + "/drive",
                 "pty,raw,echo=0,link=" + dir.path() + "/host"},
                dir.path() + "/socat.log");
  ASSERT_TRUE(wait_until(
      [&] {
        return std::filesystem::exists(dir.path() + "/drive") &&
               std::filesystem::exists(dir.path() + "/host");
      },
      std::chrono::seconds(5)))
      << "socat did not create the pty pair: " << read_file(dir.path() + "/socat.log");
  ForeignDevice drive(dir.path() + "/drive");
  Daemon daemon(dir.path(), kConfig, "rtu://" + dir.path() + "/host?baud=19200&parity=N&unit=1");
  AxisWatcher axis(drive.port());
  run_quick_check(daemon, axis);
  EXPECT_NE(daemon.log().find("rtu://"), std::string::npos)
      << "the daemon did not use the RTU line";
}

}  // namespace
}  // namespace traction::e2e
