// SPDX-License-Identifier: Apache-2.0
// tractiond-web: the bedside panel. Serves one page (HTTP, WebSocket; HTTPS when configured) and
// relays JSON-RPC between each page and tractiond's control socket on a connection of its own,
// lowered to the page's role. One I/O thread; password checks on a worker thread.
#include <spdlog/spdlog.h>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/asio/signal_set.hpp>
#include <fstream>
#include <iostream>

#include "web/web_server.hpp"

namespace {

constexpr int kExitConfig = 2;
constexpr int kExitRuntime = 1;

// Reads a password from stdin (without echo on a terminal) and prints its yescrypt hash.
int print_password_hash() {
  const bool terminal = isatty(STDIN_FILENO) != 0;
  termios saved{};
  if (terminal) {
    std::cerr << "password: " << std::flush;
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string password;
  std::getline(std::cin, password);
  if (terminal) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << "\n";
  }
  if (password.empty()) {
    std::cerr << "tractiond-web: an empty password is not allowed\n";
    return kExitConfig;
  }
  auto hash = traction::web::hash_password(password);
  if (!hash) {
    std::cerr << "tractiond-web: " << hash.status().message() << "\n";
    return kExitRuntime;
  }
  std::cout << *hash << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  namespace web = traction::web;
  CLI::App app{"tractiond-web: the bedside panel of tractiond (HTTP and WebSocket)"};
  std::string config_file;
  std::string listen;
  std::string socket_path;
  std::string kiosk;
  std::string port_file;
  bool hash = false;
  bool check_only = false;
  bool version = false;
  app.add_option("--config", config_file, "configuration file (JSON; tractiond-web(8))");
  app.add_option("--listen", listen, "HOST:PORT to serve on (default 127.0.0.1:8480)");
  app.add_option("--socket", socket_path,
                 "tractiond's control socket (default /run/tractiond/tractiond.sock)");
  app.add_option("--kiosk", kiosk, "grant ROLE to every page without a login (loopback only)")
      ->check(CLI::IsMember({"none", "observer", "operator", "admin"}));
  app.add_option("--port-file", port_file, "write the bound port here once listening (tests)");
  app.add_flag("--hash-password", hash,
               "read a password on stdin, print its hash for a users file");
  app.add_flag("--check-config", check_only,
               "validate the configuration and the users file, then exit");
  app.add_flag("--version", version, "print the version and exit");
  CLI11_PARSE(app, argc, argv);
  if (version) {
    std::cout << "tractiond-web " << TRACTION_VERSION << "\n";
    return 0;
  }
  if (hash) return print_password_hash();

  web::WebConfig config;
  if (!config_file.empty()) {
    auto loaded = web::load_web_config(config_file);
    if (!loaded) {
      std::cerr << "tractiond-web: " << loaded.status().message() << "\n";
      return kExitConfig;
    }
    config = std::move(*loaded);
  }
  if (!listen.empty()) config.listen = listen;
  if (!socket_path.empty()) config.socket_path = socket_path;
  if (!kiosk.empty()) config.kiosk_role = kiosk;
  if (const auto st = web::finish_web_config(config); !st) {
    std::cerr << "tractiond-web: " << st.message() << "\n";
    return kExitConfig;
  }
  std::vector<web::WebUser> users;
  if (!config.users_file.empty()) {
    auto loaded = web::load_users_file(config.users_file);
    if (!loaded) {
      std::cerr << "tractiond-web: " << loaded.status().message() << "\n";
      return kExitConfig;
    }
    users = std::move(*loaded);
  }
  auto assets = web::StaticAssets::load(config.panel_dir, config.chart_js);
  if (!assets) {
    std::cerr << "tractiond-web: " << assets.status().message() << "\n";
    return kExitConfig;
  }
  if (check_only) {
    std::cout << "tractiond-web: configuration ok (" << users.size() << " users)\n";
    return 0;
  }

  boost::asio::io_context io;
  web::PanelContext context(io, config, std::move(*assets), std::move(users));
  web::WebServer server(context);
  if (const auto st = server.start(); !st) {
    spdlog::error("{}", st.message());
    return st.code() == traction::Errc::config ? kExitConfig : kExitRuntime;
  }
  context.estop->start();
  const std::string scheme = config.tls() ? "https" : "http";
  web::ListenAddress bound = config.address;
  bound.port = server.port();
  spdlog::info("tractiond-web {} serving the panel on {}://{}/ for {} ({})", TRACTION_VERSION,
               scheme, web::authority(bound), config.socket_path,
               !config.kiosk_role.empty()   ? "kiosk role " + config.kiosk_role
               : !config.users_file.empty() ? "logins from " + config.users_file
                                            : "observers without login");
  if (!port_file.empty()) std::ofstream(port_file) << bound.port << "\n";

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int signal) {
    spdlog::info("signal {}: stopping", signal);
    server.stop();
    context.estop->stop();
    io.stop();
  });
  io.run();
  return 0;
}
