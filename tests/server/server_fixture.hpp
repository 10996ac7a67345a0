// SPDX-License-Identifier: Apache-2.0
// A running ControlServer on a temporary socket, with a RecordingPort behind it.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <thread>

#include "cli/rpc_client.hpp"
#include "daemon/server/control_server.hpp"
#include "tests/server/recording_port.hpp"
#include "tests/support/wait.hpp"

namespace traction::testing {

class ServerFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/tractiond-srv-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    ::chmod(dir_.c_str(), 0755);  // other test users must reach the socket
    config_.socket_path = dir_ + "/tractiond.sock";
    configure(config_);
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  // Tests adjust the config here before start().
  virtual void configure(ServerConfig&) {}

  void start() {
    server_ = std::make_unique<ControlServer>(config_, port_.ports());
    const Status started = server_->start();
    ASSERT_TRUE(started.ok()) << started.message();
  }
  std::unique_ptr<client::RpcClient> connect() {
    auto connected = client::RpcClient::connect(config_.socket_path);
    EXPECT_TRUE(connected.ok()) << connected.status().message();
    return connected.ok() ? std::move(*connected) : nullptr;
  }
  // A call that must get a reply (result or error).
  client::Response call(client::RpcClient& rpc, const std::string& method,
                        const nlohmann::json& params = nlohmann::json::object()) {
    auto response = rpc.call(method, params, 5000);
    EXPECT_TRUE(response.ok()) << method << ": " << response.status().message();
    return response.ok() ? *response : client::Response{};
  }

  std::string dir_;
  ServerConfig config_;
  RecordingPort port_;
  std::unique_ptr<ControlServer> server_;
};

}  // namespace traction::testing
