// SPDX-License-Identifier: Apache-2.0
// A real MQTT broker for the tests: Debian's mosquitto on 127.0.0.1 and a free port, with a config
// file of its own; mosquitto_sub as an independent client whose lines are read back, and
// mosquitto_pub to send. The broker can be killed, restarted on the same port, or stalled. It can
// require a user name and password (a password file made with mosquitto_passwd); the test's own
// clients then log in as kObserver.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/process_harness.hpp"

namespace traction::mqtt::testing {

using e2e::Process;
using e2e::read_file;
using e2e::wait_until;

// A port nobody listens on now (the kernel's choice for an ephemeral bind).
inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t length = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);
  ::close(fd);
  return ntohs(addr.sin_port);
}

inline bool accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// Runs a command to completion; its exit status.
inline int run(const std::vector<std::string>& argv, const std::string& log) {
  Process p(argv, log);
  wait_until([&] { return p.exited(); }, std::chrono::seconds(20));
  return p.exited() ? p.exit_status() : -1;
}

// User name and password of the tests' own clients on a broker that wants a password.
inline const std::pair<std::string, std::string> kObserver{"observer", "observer-pw"};

using Users = std::map<std::string, std::string>;  // user name -> password

class Broker {
 public:
  // `tls`: the listener speaks TLS only, with a throwaway self-signed certificate for 127.0.0.1
  // (ca_file() for the clients). `users` (with kObserver added): anonymous clients are refused.
  explicit Broker(const std::string& dir, bool tls = false, const Users& users = {})
      : dir_(dir), port_(free_port()), tls_(tls), auth_(!users.empty()) {
    if (tls_) make_certificate();
    if (auth_) write_passwords(users);
    start();
  }

  // (Re)starts mosquitto on the same port; true once it accepts connections.
  bool start() {
    std::ofstream conf(dir_ + "/mosquitto.conf");
    conf << "listener " << port_ << " 127.0.0.1\n"
         << (auth_ ? "" : "allow_anonymous true\n")
         << "persistence false\n"
         // Started as root (CI), mosquitto would become user mosquitto, who cannot read the
         // key in this private directory; as any other user this line changes nothing.
         << "user root\n";
    if (tls_) {
      conf << "certfile " << dir_ << "/broker-cert.pem\n"
           << "keyfile " << dir_ << "/broker-key.pem\n";
    }
    if (auth_) conf << "allow_anonymous false\npassword_file " << passwords() << "\n";
    conf.close();
    process_ = std::make_unique<Process>(
        std::vector<std::string>{"/usr/sbin/mosquitto", "-c", dir_ + "/mosquitto.conf"},
        dir_ + "/mosquitto.log");
    return wait_until([&] { return accepts(port_); }, std::chrono::seconds(10));
  }
  // SIGKILL: the broker is gone at once, with its retained messages (no persistence).
  void kill() {
    process_->signal(SIGKILL);
    wait_until([&] { return process_->exited(); }, std::chrono::seconds(5));
    process_.reset();
  }
  // Replaces the password file (kObserver stays) and has the running broker reread it (SIGHUP):
  // connections from then on are checked against it.
  void set_users(const Users& users) {
    write_passwords(users);
    process_->signal(SIGHUP);
  }
  void stall() { process_->signal(SIGSTOP); }
  void resume() { process_->signal(SIGCONT); }
  int port() const { return port_; }
  std::string url() const {
    return (tls_ ? "mqtts://127.0.0.1:" : "mqtt://127.0.0.1:") + std::to_string(port_);
  }
  std::string ca_file() const { return dir_ + "/broker-cert.pem"; }
  std::string log() const { return read_file(dir_ + "/mosquitto.log"); }
  // mosquitto_sub's and mosquitto_pub's options to log in ([] on an anonymous broker).
  std::vector<std::string> login() const {
    if (!auth_) return {};
    return {"-u", kObserver.first, "-P", kObserver.second};
  }

 private:
  void make_certificate() {
    run({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", dir_ + "/broker-key.pem", "-out", dir_ + "/broker-cert.pem"},
        dir_ + "/openssl.log");
  }

  std::string passwords() const { return dir_ + "/passwords"; }
  // With mosquitto_passwd: -c creates the file with the first user, then one user a call.
  void write_passwords(Users users) {
    users.insert(kObserver);
    bool first = true;
    for (const auto& [user, password] : users) {
      std::vector<std::string> argv{"/usr/bin/mosquitto_passwd", "-b"};
      if (first) argv.push_back("-c");
      argv.insert(argv.end(), {passwords(), user, password});
      run(argv, dir_ + "/mosquitto_passwd.log");
      first = false;
    }
  }

  std::string dir_;
  int port_;
  bool tls_;
  bool auth_;
  std::unique_ptr<Process> process_;
};

// A mosquitto client's command line on `broker`: the program, the address, the login, `args`.
inline std::vector<std::string> client_argv(const std::string& program, const Broker& broker,
                                            const std::vector<std::string>& args) {
  std::vector<std::string> argv{program, "-h", "127.0.0.1", "-p", std::to_string(broker.port())};
  const auto login = broker.login();
  argv.insert(argv.end(), login.begin(), login.end());
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

struct Message {
  double unix_time = 0;  // when mosquitto_sub printed it
  bool retained = false;
  std::string topic;
  std::string payload;
  nlohmann::json json() const { return nlohmann::json::parse(payload, nullptr, false); }
};

// mosquitto_sub on `pattern`, one line per message: "<unix time> <retained> <topic> <payload>".
class Subscriber {
 public:
  Subscriber(const Broker& broker, const std::string& pattern, const std::string& file)
      : file_(file),
        process_(client_argv("/usr/bin/mosquitto_sub", broker,
                             {"-q", "1", "-t", pattern, "-F", "%U %r %t %p"}),
                 file) {}

  std::vector<Message> messages() const {
    std::vector<Message> out;
    std::istringstream in(read_file(file_));
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      Message m;
      int retained = 0;
      if (!(fields >> m.unix_time >> retained >> m.topic)) continue;
      m.retained = retained != 0;
      std::getline(fields, m.payload);
      if (!m.payload.empty() && m.payload.front() == ' ') m.payload.erase(0, 1);
      out.push_back(std::move(m));
    }
    return out;
  }
  std::vector<Message> on(const std::string& topic) const {
    std::vector<Message> out;
    for (auto& m : messages()) {
      if (m.topic == topic) out.push_back(m);
    }
    return out;
  }
  // The last message on `topic` ("" payload when none yet).
  Message last(const std::string& topic) const {
    auto all = on(topic);
    return all.empty() ? Message{} : all.back();
  }
  // Waits for a message on `topic` that satisfies `match`; returns it (empty when none came).
  Message wait_for(const std::string& topic, const std::function<bool(const Message&)>& match,
                   std::chrono::milliseconds timeout = std::chrono::seconds(10)) const {
    Message found;
    wait_until(
        [&] {
          for (auto& m : on(topic)) {
            if (match(m)) {
              found = m;
              return true;
            }
          }
          return false;
        },
        timeout);
    return found;
  }

 private:
  std::string file_;
  Process process_;
};

// mosquitto_pub of one message (QoS 1); true when it was delivered to the broker.
inline bool publish(const Broker& broker, const std::string& topic, const std::string& payload,
                    const std::string& log) {
  return run(client_argv("/usr/bin/mosquitto_pub", broker, {"-q", "1", "-t", topic, "-m", payload}),
             log) == 0;
}

}  // namespace traction::mqtt::testing
