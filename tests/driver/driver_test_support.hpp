// SPDX-License-Identifier: Apache-2.0
// Shared fixtures of the driver tests: temporary directories, waiting on conditions with deadlines,
// and the independent pymodbus drive (tests/peers/foreign_device) started on an ephemeral port.
#pragma once

#include <gtest/gtest.h>
#include <modbus/modbus.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "drivers/device_file.hpp"
#include "drivers/modbus/device_uri.hpp"
#include "tests/support/wait.hpp"

extern char** environ;

namespace traction::testing {

inline std::string source_path(const std::string& relative) {
  return std::string(TRACTION_SOURCE_DIR) + "/" + relative;
}

// A fresh directory under $TMPDIR, removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "traction-drv-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data()) != nullptr ? pattern : "";
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline DeviceFile load_device(const std::string& relative) {
  auto file = load_device_file(source_path(relative));
  if (!file.ok()) ADD_FAILURE() << file.status().message();
  return file.ok() ? *file : DeviceFile{};
}

// The independent pymodbus drive, in its own process on a free port.
class ForeignDevice {
 public:
  // Fault-injector modes (see foreign_server.py).
  enum Mode : std::uint16_t {
    none = 0,
    busy = 1,
    illegal_address = 2,
    late = 3,
    silent = 4,
    drop = 5
  };
  static constexpr std::uint16_t kForever = 0xFFFF;

  // `serial_path`: also serve the drive over RTU on this serial device (a pty), unit 247 stays on
  // TCP.
  explicit ForeignDevice(const std::string& serial_path = "") {
    const std::string port_file = dir_.path() + "/port";
    std::vector<std::string> args = {
        DEBIAN_PYTHON3, source_path("tests/peers/foreign_device/foreign_server.py"),
        "--port",       "0",
        "--port-file",  port_file};
    if (!serial_path.empty()) {
      args.insert(args.end(), {"--serial", serial_path});
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (::posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
      ADD_FAILURE() << "cannot start " << argv[0];
      pid_ = -1;
      return;
    }
    const bool up = wait_until(
        [&] {
          std::ifstream in(port_file);
          return static_cast<bool>(in >> port_);
        },
        std::chrono::milliseconds(15000));
    if (!up) ADD_FAILURE() << "the foreign drive did not write its port file in time";
    bench_ = modbus_new_tcp("127.0.0.1", port_);
    modbus_set_slave(bench_, 247);
    modbus_set_response_timeout(bench_, 1, 0);
    if (modbus_connect(bench_) != 0) ADD_FAILURE() << "cannot connect to the fault injector";
  }
  ~ForeignDevice() {
    if (bench_ != nullptr) {
      modbus_close(bench_);
      modbus_free(bench_);
    }
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  ForeignDevice(const ForeignDevice&) = delete;
  ForeignDevice& operator=(const ForeignDevice&) = delete;

  int port() const { return port_; }
  DeviceUri uri() const {
    auto uri = parse_device_uri("tcp://127.0.0.1:" + std::to_string(port_) + "?unit=1");
    return *uri;
  }

  void inject(Mode mode, std::uint16_t count, std::uint16_t delay_ms = 0) {
    const std::uint16_t words[3] = {mode, count, delay_ms};
    ASSERT_EQ(modbus_write_registers(bench_, 0, 3, words), 3);
  }
  void stop_switch(bool connected, bool pressed) {
    const std::uint16_t words[2] = {connected ? std::uint16_t{1} : std::uint16_t{0},
                                    pressed ? std::uint16_t{1} : std::uint16_t{0}};
    ASSERT_EQ(modbus_write_registers(bench_, 3, 2, words), 2);
  }
  void break_watchdog_register(bool broken) {
    ASSERT_EQ(modbus_write_register(bench_, 5, broken ? 1 : 0), 1);
  }
  // The drive's status word as the device itself holds it (read without talking to unit 1).
  std::uint16_t status_word() { return bench_word(7); }
  std::uint16_t fault_code() { return bench_word(8); }

  // One word of unit 1, read on the bench connection (this counts as traffic to the drive).
  std::uint16_t drive_word(bool input_table, int address) {
    modbus_set_slave(bench_, 1);
    std::uint16_t word = 0;
    const int rc = input_table ? modbus_read_input_registers(bench_, address, 1, &word)
                               : modbus_read_registers(bench_, address, 1, &word);
    modbus_set_slave(bench_, 247);
    EXPECT_EQ(rc, 1);
    return word;
  }

 private:
  std::uint16_t bench_word(int address) {
    std::uint16_t word = 0;
    EXPECT_EQ(modbus_read_registers(bench_, address, 1, &word), 1);
    return word;
  }

  TempDir dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  modbus_t* bench_ = nullptr;
};

}  // namespace traction::testing
