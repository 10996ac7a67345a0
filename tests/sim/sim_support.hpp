// SPDX-License-Identifier: Apache-2.0
// Helpers for tests that talk to a running Simulator over Modbus: a libmodbus client, signal
// reads and writes through the shared register map (no address appears in a test), waits with
// deadlines.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <modbus/modbus.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "drivers/cia402.hpp"
#include "drivers/device_file.hpp"
#include "simulator/simulator.hpp"
#include "tests/support/wait.hpp"

namespace traction::sim::testing {

using namespace std::chrono_literals;

using traction::testing::wait_until;

inline std::string map_file(DeviceKind kind) {
  return std::string(TRACTION_SOURCE_DIR) + "/config/devices/sim-" + to_string(kind) + ".json";
}

inline RegisterMap load_map(DeviceKind kind) {
  Result<DeviceFile> file = load_device_file(map_file(kind));
  EXPECT_TRUE(file.ok()) << file.status().message();
  return file.ok() ? file->registers : RegisterMap{};
}

// A pty pair in raw mode: one side for the simulator, one for the client.
struct PtyPair {
  PtyPair() {
    if (::openpty(&device_side, &client_side, nullptr, nullptr, nullptr) != 0)
      ADD_FAILURE() << "openpty";
    for (int fd : {device_side, client_side}) {
      termios tio{};
      ::tcgetattr(fd, &tio);
      ::cfmakeraw(&tio);
      ::tcsetattr(fd, TCSANOW, &tio);
    }
  }
  ~PtyPair() {
    ::close(device_side);
    ::close(client_side);
  }
  int device_side = -1;
  int client_side = -1;
};

// A started simulator and one libmodbus client (TCP, or RTU over a pty pair).
class SimClient {
 public:
  explicit SimClient(DeviceKind kind, bool rtu = false, SimOptions options = {})
      : kind_(kind), map_(load_map(kind)) {
    options.kind = kind;
    if (rtu) {
      pty_ = std::make_unique<PtyPair>();
      options.rtu_fd = pty_->device_side;
    }
    auto created = Simulator::create(options);
    if (!created.ok()) {
      ADD_FAILURE() << created.status().message();
      return;
    }
    sim_ = std::move(*created);
    const Status started = sim_->start();
    EXPECT_TRUE(started.ok()) << started.message();
    if (rtu) {
      ctx_ = modbus_new_rtu("/dev/null", 19200, 'N', 8, 1);
      modbus_set_socket(ctx_, pty_->client_side);
    } else {
      ctx_ = modbus_new_tcp("127.0.0.1", sim_->tcp_port());
      EXPECT_EQ(modbus_connect(ctx_), 0) << modbus_strerror(errno);
    }
    modbus_set_slave(ctx_, 1);
    modbus_set_response_timeout(ctx_, 0, 300'000);
  }
  ~SimClient() {
    if (ctx_ != nullptr) {
      if (pty_ == nullptr) modbus_close(ctx_);
      modbus_free(ctx_);
    }
    if (sim_) sim_->stop();
  }

  Simulator& sim() { return *sim_; }
  modbus_t* ctx() { return ctx_; }
  const RegisterMap& map() const { return map_; }
  nlohmann::json state() { return sim_->control({{"command", "state"}}); }
  nlohmann::json command(nlohmann::json c) { return sim_->control(c); }

  // Reads a signal through the map; std::nullopt when the request fails (errno says why).
  std::optional<double> read(const std::string& name) {
    const SignalSpec& spec = map_.at(name);
    std::uint16_t words[2] = {0, 0};
    const int rc = spec.table == Table::holding
                       ? modbus_read_registers(ctx_, spec.address, spec.width(), words)
                       : modbus_read_input_registers(ctx_, spec.address, spec.width(), words);
    if (rc != spec.width()) return std::nullopt;
    return decode_value(spec, words);
  }

  // Writes a holding-register signal through the map; false when the request fails.
  bool write(const std::string& name, double value) {
    const SignalSpec& spec = map_.at(name);
    std::uint16_t words[2] = {0, 0};
    if (!encode_value(spec, value, words).ok()) return false;
    return modbus_write_registers(ctx_, spec.address, spec.width(), words) == spec.width();
  }

  // shutdown -> switch on -> enable operation, one write at a time.
  bool enable() {
    for (std::uint16_t cw : {cia402::kShutdown, cia402::kSwitchOn, cia402::kEnableOperation}) {
      if (!write("control_word", cw)) return false;
    }
    return true;
  }

  cia402::State drive_state() {
    const std::optional<double> sw = read("status_word");
    return sw ? cia402::decode_status(static_cast<std::uint16_t>(*sw))
              : cia402::State::not_ready_to_switch_on;
  }

 private:
  DeviceKind kind_;
  RegisterMap map_;
  std::unique_ptr<PtyPair> pty_;
  std::unique_ptr<Simulator> sim_;
  modbus_t* ctx_ = nullptr;
};

}  // namespace traction::sim::testing
