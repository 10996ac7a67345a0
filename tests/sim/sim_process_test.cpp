// SPDX-License-Identifier: Apache-2.0
// The control socket, the scenario player, the trace, and the traction-sim executable itself.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/sim/sim_support.hpp"

namespace traction::sim {
namespace {

namespace fs = std::filesystem;
using testing::SimClient;
using testing::wait_until;
using namespace std::chrono_literals;

// A fresh temporary directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "traction-sim-test-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return (fs::path(path_) / name).string(); }

 private:
  std::string path_;
};

// A connected control-socket client that sends lines and reads reply lines.
class ControlClient {
 public:
  explicit ControlClient(const std::string& path) {
    fd_ = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    timeval tv{2, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~ControlClient() { close(fd_); }
  bool connected() const { return connected_; }
  std::string ask(const std::string& line) {
    const std::string out = line + "\n";
    if (send(fd_, out.data(), out.size(), MSG_NOSIGNAL) < 0) return "";
    while (buffer_.find('\n') == std::string::npos) {
      char chunk[4096];
      const ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return "";
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
    const std::string reply = buffer_.substr(0, buffer_.find('\n'));
    buffer_.erase(0, reply.size() + 1);
    return reply;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

TEST(SimControlSocket, answers_one_json_line_per_command_line) {
  TempDir dir;
  SimOptions options;
  options.control_socket = dir.file("control.sock");
  SimClient sim(DeviceKind::inversion, false, options);
  ControlClient control(options.control_socket);
  ASSERT_TRUE(control.connected());
  const nlohmann::json pressed = nlohmann::json::parse(control.ask(R"({"command":"press_stop"})"));
  EXPECT_EQ(pressed["ok"], true);
  const nlohmann::json state = nlohmann::json::parse(control.ask(R"({"command":"state"})"));
  EXPECT_EQ(state["stop_pressed"], true);
}

TEST(SimControlSocket, invalid_json_gets_an_error_line_and_the_connection_stays_usable) {
  TempDir dir;
  SimOptions options;
  options.control_socket = dir.file("control.sock");
  SimClient sim(DeviceKind::traction, false, options);
  ControlClient control(options.control_socket);
  const nlohmann::json bad = nlohmann::json::parse(control.ask("{not json"));
  EXPECT_EQ(bad["ok"], false);
  EXPECT_EQ(nlohmann::json::parse(control.ask(R"({"command":"state"})"))["kind"], "traction");
}

TEST(SimScenario, events_fire_at_their_simulated_times) {
  TempDir dir;
  std::ofstream(dir.file("s.json")) << R"({"events": [
      {"at_s": 0.05, "command": "press_stop"},
      {"at_s": 0.10, "command": "drive_fault", "code": 4660}]})";
  SimOptions options;
  options.scenario_file = dir.file("s.json");
  SimClient sim(DeviceKind::inversion, false, options);
  EXPECT_TRUE(wait_until([&] { return sim.state()["fault_code"] == 4660; }));
  EXPECT_EQ(sim.state()["stop_pressed"], true);
}

TEST(SimScenario, the_drive_reaction_and_self_test_faults_can_be_scripted) {
  TempDir dir;
  std::ofstream(dir.file("s.json")) << R"({"events": [
      {"at_s": 0.02, "command": "drive_reaction", "mode": "hold"},
      {"at_s": 0.02, "command": "watchdog_ignore", "on": true},
      {"at_s": 0.05, "command": "stop_switch_dead", "on": true}]})";
  SimOptions options;
  options.scenario_file = dir.file("s.json");
  SimClient sim(DeviceKind::traction, false, options);
  EXPECT_TRUE(wait_until([&] { return sim.state()["stop_switch_wired"] == false; }));
  EXPECT_EQ(sim.state()["drive_reaction"], "hold");
  EXPECT_EQ(sim.state()["watchdog_ignored"], true);
}

TEST(SimScenario, a_misspelt_command_fails_at_load_naming_the_event) {
  TempDir dir;
  std::ofstream(dir.file("s.json"))
      << R"({"events": [{"at_s": 1, "command": "power_los", "seconds": 1}]})";
  SimOptions options;
  options.scenario_file = dir.file("s.json");
  auto created = Simulator::create(options);
  ASSERT_FALSE(created.ok());
  EXPECT_NE(created.status().message().find("/events/0"), std::string::npos)
      << created.status().message();
  EXPECT_NE(created.status().message().find("power_loss"), std::string::npos)
      << created.status().message();
}

TEST(SimTrace, records_the_documented_columns_at_100_hz_or_more) {
  TempDir dir;
  SimOptions options;
  options.trace_file = dir.file("trace.csv");
  {
    SimClient sim(DeviceKind::inversion, false, options);
    ASSERT_TRUE(wait_until([&] { return sim.state()["t"].get<double>() >= 0.5; }));
  }
  std::ifstream in(options.trace_file);
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header,
            "t,target,actual,velocity,force_n,drive,stop_pressed,stop_connected,fault_code,"
            "control_word,status_word,brake");
  std::string line;
  double first = -1;
  double last = 0;
  int rows = 0;
  while (std::getline(in, line)) {
    const double t = std::stod(line.substr(0, line.find(',')));
    if (first < 0) first = t;
    last = t;
    ++rows;
  }
  ASSERT_GT(rows, 10);
  EXPECT_GE((rows - 1) / (last - first), 99.0);
}

std::string sim_binary() {
  return std::string(TRACTION_BUILD_DIR) + "/simulator/traction-sim";
}

// Kills and reaps the child if the test ends (or fails) before it was stopped on purpose.
struct ChildGuard {
  pid_t pid = -1;
  ~ChildGuard() {
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
};

TEST(SimExecutable, writes_the_port_file_prints_the_listening_line_and_exits_0_on_sigterm) {
  TempDir dir;
  const std::string port_file = dir.file("port");
  const std::string out_file = dir.file("stdout");
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::freopen(out_file.c_str(), "w", stdout);
    std::freopen("/dev/null", "w", stderr);
    execl(sim_binary().c_str(), "traction-sim", "--device", "traction", "--listen", "127.0.0.1:0",
          "--port-file", port_file.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  ChildGuard guard{pid};
  ASSERT_TRUE(wait_until([&] { return fs::exists(port_file); }, 5000ms));
  int port = 0;
  std::ifstream(port_file) >> port;
  EXPECT_GT(port, 0);
  modbus_t* ctx = modbus_new_tcp("127.0.0.1", port);
  ASSERT_EQ(modbus_connect(ctx), 0);
  const RegisterMap map = testing::load_map(DeviceKind::traction);
  const SignalSpec& product = map.at("product_code");
  std::uint16_t word = 0;
  EXPECT_EQ(modbus_read_input_registers(ctx, product.address, 1, &word), 1);
  EXPECT_EQ(word, 2);
  modbus_close(ctx);
  modbus_free(ctx);
  kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  guard.pid = -1;
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::stringstream out;
  out << std::ifstream(out_file).rdbuf();
  EXPECT_EQ(out.str(), "traction-sim: listening on 127.0.0.1:" + std::to_string(port) + "\n");
}

TEST(SimExecutable, exits_0_on_sigint) {
  TempDir dir;
  const std::string port_file = dir.file("port");
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::freopen("/dev/null", "w", stdout);
    execl(sim_binary().c_str(), "traction-sim", "--listen", "127.0.0.1:0", "--port-file",
          port_file.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  ChildGuard guard{pid};
  ASSERT_TRUE(wait_until([&] { return fs::exists(port_file); }, 5000ms));
  kill(pid, SIGINT);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  guard.pid = -1;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST(SimExecutable, drive_reaction_option_sets_the_reaction_and_refuses_other_words) {
  TempDir dir;
  const std::string port_file = dir.file("port");
  const std::string control = dir.file("sim.sock");
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::freopen("/dev/null", "w", stdout);
    execl(sim_binary().c_str(), "traction-sim", "--listen", "127.0.0.1:0", "--port-file",
          port_file.c_str(), "--control", control.c_str(), "--drive-reaction", "hold",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  ChildGuard guard{pid};
  ASSERT_TRUE(wait_until([&] { return fs::exists(port_file); }, 5000ms));
  ControlClient client(control);
  ASSERT_TRUE(client.connected());
  const nlohmann::json state = nlohmann::json::parse(client.ask(R"({"command":"state"})"));
  EXPECT_EQ(state["drive_reaction"], "hold") << state.dump();

  const std::string command = sim_binary() + " --drive-reaction park --listen 127.0.0.1:0 2>" +
                              dir.file("err") + " >/dev/null";
  EXPECT_NE(std::system(command.c_str()), 0);
  std::stringstream err;
  err << std::ifstream(dir.file("err")).rdbuf();
  EXPECT_NE(err.str().find("--drive-reaction"), std::string::npos) << err.str();
}

TEST(SimExecutable, a_bad_model_file_exits_non_zero_with_the_file_named) {
  TempDir dir;
  std::ofstream(dir.file("m.json")) << R"({"kind": "inversion"})";
  const std::string command = sim_binary() + " --model " + dir.file("m.json") +
                              " --listen 127.0.0.1:0 2>" + dir.file("err") + " >/dev/null";
  EXPECT_NE(std::system(command.c_str()), 0);
  std::stringstream err;
  err << std::ifstream(dir.file("err")).rdbuf();
  EXPECT_NE(err.str().find("m.json"), std::string::npos) << err.str();
}

}  // namespace
}  // namespace traction::sim
