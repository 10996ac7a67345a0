// SPDX-License-Identifier: Apache-2.0
// The tractionctl executable against a running server: output and documented exit codes.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <future>

#include "tests/server/server_fixture.hpp"

namespace traction::testing {
namespace {

struct CtlRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

class Tractionctl : public ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    start();
  }
  // Runs tractionctl with `arguments` on this server's socket (stdout is a pipe: not a terminal).
  CtlRun ctl(const std::string& arguments) {
    return ctl_with_env("", "--socket " + config_.socket_path + " " + arguments);
  }
  CtlRun ctl_with_env(const std::string& environment, const std::string& arguments) {
    const std::string command = environment + " " + std::string(TRACTION_BUILD_DIR) +
                                "/cli/tractionctl " + arguments + " 2>&1";
    CtlRun run;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return run;
    char buffer[4096];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) run.output.append(buffer, n);
    const int status = ::pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
  }
  // Publishes a running session, then its end with `outcome`, once the start has arrived.
  void finish_session_when_started(const std::string& outcome) {
    ASSERT_TRUE(wait_until([&] { return !port_.commands().empty(); }));
    StatusSnapshot running;
    running.state = DaemonState::running;
    running.session = SessionProgress{};
    running.session->id = "s-1";
    running.session->phase_kind = "hold";
    port_.publish(running);
    Event started;
    started.kind = EventKind::session_started;
    started.session_id = "s-1";
    port_.publish_event(started);
    StatusSnapshot done;
    done.state = DaemonState::idle;
    done.last_session = LastSession{"s-1", "quick-check", outcome, "test", {}, {}, 15.0};
    port_.publish(done);
  }
};

TEST_F(Tractionctl, status_when_daemon_answers_expect_text_and_exit_0) {
  const CtlRun run = ctl("status");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("state:    disconnected"), std::string::npos) << run.output;
}

TEST_F(Tractionctl, status_json_when_asked_expect_the_result_object) {
  const CtlRun run = ctl("status --json");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(nlohmann::json::parse(run.output)["state"], "disconnected");
}

TEST_F(Tractionctl, show_when_program_unknown_expect_reason_and_exit_1) {
  const CtlRun run = ctl("show nope");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.output.find("[unknown_program]"), std::string::npos) << run.output;
}

TEST_F(Tractionctl, show_when_program_known_expect_text_for_people_or_json_when_asked) {
  const CtlRun text = ctl("show quick-check");
  EXPECT_EQ(text.exit_code, 0) << text.output;
  EXPECT_EQ(text.output.rfind("quick-check: ", 0), 0U) << text.output;
  const CtlRun raw = ctl("show quick-check --json");
  EXPECT_EQ(raw.exit_code, 0) << raw.output;
  EXPECT_EQ(nlohmann::json::parse(raw.output, nullptr, false).value("name", ""), "quick-check")
      << raw.output;
}

TEST_F(Tractionctl, validate_when_limits_broken_expect_every_violation_and_exit_1) {
  const CtlRun run = ctl("validate too-far");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.output.find("phase 2 target 80 deg > max 60 deg"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("hold 300 s > max 120 s"), std::string::npos) << run.output;
}

TEST_F(Tractionctl, validate_when_file_given_expect_definition_sent) {
  const std::string file = dir_ + "/broken.json";
  std::FILE* out = std::fopen(file.c_str(), "w");
  ASSERT_NE(out, nullptr);
  std::fputs("{\"name\": \"mine\"}", out);
  std::fclose(out);
  const CtlRun run = ctl("validate " + file);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.output.find("[invalid_program]"), std::string::npos) << run.output;
}

TEST_F(Tractionctl, socket_from_environment_when_given_expect_it_used) {
  const CtlRun run = ctl_with_env("TRACTIOND_SOCKET=" + config_.socket_path, "status");
  EXPECT_EQ(run.exit_code, 0) << run.output;
}

TEST_F(Tractionctl, command_when_no_daemon_expect_advice_and_exit_3) {
  const CtlRun run = ctl_with_env("", "--socket " + dir_ + "/absent.sock status");
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_NE(run.output.find("Is tractiond running?"), std::string::npos) << run.output;
}

TEST_F(Tractionctl, usage_when_wrong_expect_exit_2) {
  EXPECT_EQ(ctl("run").exit_code, 2);
  EXPECT_EQ(ctl("frobnicate").exit_code, 2);
}

TEST_F(Tractionctl, estop_when_called_expect_command_and_exit_0) {
  const CtlRun run = ctl("estop");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  ASSERT_EQ(port_.commands().size(), 1u);
  EXPECT_EQ(port_.commands()[0].kind, CommandKind::estop);
}

TEST_F(Tractionctl, run_follow_when_session_completes_expect_plain_lines_outcome_and_exit_0) {
  port_.set_reply(CommandKind::start, CommandReply{std::nullopt, {{"id", "s-1"}}});
  auto run = std::async(std::launch::async, [&] { return ctl("run quick-check --follow"); });
  finish_session_when_started("completed");
  ASSERT_EQ(run.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  const CtlRun result = run.get();
  EXPECT_EQ(result.exit_code, 0) << result.output;
  // Events as lines for people: the local time, two spaces, the words.
  EXPECT_NE(result.output.find("  session s-1 started: "), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("session s-1 completed"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find('\r'), std::string::npos);  // not a terminal: no redraws
}

TEST_F(Tractionctl, run_follow_when_session_is_stopped_expect_exit_4) {
  port_.set_reply(CommandKind::start, CommandReply{std::nullopt, {{"id", "s-1"}}});
  auto run = std::async(std::launch::async, [&] { return ctl("run quick-check --follow"); });
  finish_session_when_started("stopped");
  ASSERT_EQ(run.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  const CtlRun result = run.get();
  EXPECT_EQ(result.exit_code, 4) << result.output;
  EXPECT_NE(result.output.find("session s-1 stopped: test"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace traction::testing
