// SPDX-License-Identifier: Apache-2.0
// Access by peer credentials with real, different users: each request is made by a forked child
// that has switched to a test user (created here when running as root), so the server sees the
// kernel's SO_PEERCRED of that user, never a claim. Without root, these tests skip and say why.
#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "tests/server/server_fixture.hpp"

namespace traction::testing {
namespace {

// Test accounts (no home, no shell). Left in place: creating them is idempotent and parallel
// test processes may be using them.
constexpr const char* kSocketGroup = "trt-sock";
constexpr const char* kOperatorGroup = "trt-operators";
struct TestUser {
  const char* name;
  const char* groups;  // useradd -G
};
constexpr TestUser kUsers[] = {{"trt-observer", "trt-sock"},
                               {"trt-operator", "trt-sock,trt-operators"},
                               {"trt-admin", "trt-sock"},
                               {"trt-nobody", "trt-sock"},
                               {"trt-outsider", ""}};

bool run_quietly(const std::string& command) {
  return std::system((command + " >/dev/null 2>&1").c_str()) == 0;
}

// Creates the groups and users once; a lock file serialises parallel test processes.
std::string ensure_test_users() {
  if (geteuid() != 0) return "access tests need root to create test users (run the suite as root)";
  const int lock = ::open("/tmp/tractiond-test-users.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0600);
  if (lock < 0 || ::flock(lock, LOCK_EX) != 0) return "cannot lock /tmp/tractiond-test-users.lock";
  std::string problem;
  for (const char* group : {kSocketGroup, kOperatorGroup}) {
    if (getgrnam(group) == nullptr && !run_quietly(std::string("groupadd ") + group)) {
      problem = std::string("groupadd ") + group + " failed";
    }
  }
  for (const auto& user : kUsers) {
    if (!problem.empty() || getpwnam(user.name) != nullptr) continue;
    std::string command = std::string("useradd -M -N -s /usr/sbin/nologin ") +
                          (*user.groups ? std::string("-G ") + user.groups + " " : "") + user.name;
    if (!run_quietly(command)) problem = command + " failed";
  }
  ::flock(lock, LOCK_UN);
  ::close(lock);
  return problem;
}

// What a child saw: the errno of connect() (0 when connected) and the reply line.
struct ChildResult {
  int connect_errno = -1;
  nlohmann::json reply;
};

class Access : public ServerFixture {
 protected:
  void configure(ServerConfig& config) override {
    skip_reason_ = ensure_test_users();
    if (!skip_reason_.empty()) return;
    config.socket_mode = 0660;
    config.socket_group = kSocketGroup;
    config.user_roles = {{"trt-observer", Role::observer}, {"trt-admin", Role::admin}};
    config.group_roles = {{kOperatorGroup, Role::operator_}};
    config.default_role = Role::none;
  }
  void SetUp() override {
    ServerFixture::SetUp();
    if (!skip_reason_.empty()) GTEST_SKIP() << skip_reason_;
    start();
  }

  uid_t uid_of(const char* user) { return getpwnam(user)->pw_uid; }

  // Sends one request as `user` from a forked child and returns what came back.
  ChildResult request_as(const char* user, const std::string& method) {
    const passwd* account = getpwnam(user);
    EXPECT_NE(account, nullptr) << user;
    if (account == nullptr) return {};
    // Everything the child needs is prepared here: after fork() it makes system calls only.
    const uid_t uid = account->pw_uid;
    const gid_t gid = account->pw_gid;
    int count = 64;
    std::vector<gid_t> groups(count);
    getgrouplist(user, gid, groups.data(), &count);
    groups.resize(static_cast<std::size_t>(std::max(count, 0)));
    const std::string request =
        nlohmann::json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}}.dump() + "\n";
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, config_.socket_path.c_str(), sizeof(address.sun_path) - 1);
    int pipe_fds[2];
    EXPECT_EQ(::pipe(pipe_fds), 0);
    const pid_t child = ::fork();
    if (child == 0) {
      ::close(pipe_fds[0]);
      if (::setgroups(groups.size(), groups.data()) != 0 || ::setgid(gid) != 0 ||
          ::setuid(uid) != 0)
        _exit(10);
      int connect_errno = 0;
      const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
      if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
        connect_errno = errno;
      (void)!::write(pipe_fds[1], &connect_errno, sizeof connect_errno);
      if (connect_errno == 0) {
        (void)!::write(fd, request.data(), request.size());
        char buffer[8192];
        ssize_t n;
        while ((n = ::read(fd, buffer, sizeof buffer)) > 0) {
          (void)!::write(pipe_fds[1], buffer, static_cast<std::size_t>(n));
          if (std::memchr(buffer, '\n', static_cast<std::size_t>(n)) != nullptr) break;
        }
      }
      _exit(0);
    }
    ::close(pipe_fds[1]);
    ChildResult result;
    std::string received;
    char buffer[8192];
    ssize_t n;
    while ((n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0)
      received.append(buffer, static_cast<std::size_t>(n));
    ::close(pipe_fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child for " << user << " failed";
    if (received.size() >= sizeof(int)) {
      std::memcpy(&result.connect_errno, received.data(), sizeof(int));
      result.reply = nlohmann::json::parse(received.substr(sizeof(int)), nullptr, false);
    }
    return result;
  }
  std::string reason_of(const ChildResult& r) {
    return r.reply.contains("error") ? r.reply["error"]["data"].value("reason", "") : "(no error)";
  }

  std::string skip_reason_;
};

TEST_F(Access, observer_when_reading_status_expect_allowed) {
  const auto r = request_as("trt-observer", "status.get");
  EXPECT_TRUE(r.reply.contains("result")) << r.reply.dump();
}

TEST_F(Access, observer_when_stopping_a_session_expect_permission_denied_and_no_command) {
  const auto r = request_as("trt-observer", "session.stop");
  EXPECT_EQ(reason_of(r), "permission_denied");
  EXPECT_EQ(r.reply["error"]["code"], -32008);
  EXPECT_EQ(r.reply["error"]["data"]["required_role"], "operator");
  EXPECT_TRUE(port_.commands().empty());
}

TEST_F(Access, observer_when_calling_estop_expect_allowed_and_logged_as_that_user) {
  const auto r = request_as("trt-observer", "device.estop");
  EXPECT_TRUE(r.reply.contains("result")) << r.reply.dump();
  const auto commands = port_.commands();
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_EQ(commands[0].kind, CommandKind::estop);
  EXPECT_EQ(
      commands[0].requested_by.rfind("uid=" + std::to_string(uid_of("trt-observer")) + " pid=", 0),
      0u)
      << commands[0].requested_by;
}

TEST_F(Access, operator_group_member_when_stopping_a_session_expect_allowed) {
  const auto r = request_as("trt-operator", "session.stop");
  EXPECT_TRUE(r.reply.contains("result")) << r.reply.dump();
  ASSERT_EQ(port_.commands().size(), 1u);
  EXPECT_EQ(port_.commands()[0].kind, CommandKind::stop);
}

TEST_F(Access, operator_when_resetting_expect_permission_denied) {
  const auto r = request_as("trt-operator", "device.reset");
  EXPECT_EQ(reason_of(r), "permission_denied");
  EXPECT_EQ(r.reply["error"]["data"]["required_role"], "admin");
}

TEST_F(Access, admin_when_resetting_expect_allowed) {
  const auto r = request_as("trt-admin", "device.reset");
  EXPECT_TRUE(r.reply.contains("result")) << r.reply.dump();
  ASSERT_EQ(port_.commands().size(), 1u);
  EXPECT_EQ(port_.commands()[0].kind, CommandKind::reset);
}

TEST_F(Access, unmapped_user_when_reading_status_expect_permission_denied) {
  const auto r = request_as("trt-nobody", "status.get");
  EXPECT_EQ(reason_of(r), "permission_denied");
}

TEST_F(Access, unmapped_user_when_calling_estop_expect_allowed) {
  const auto r = request_as("trt-nobody", "device.estop");
  EXPECT_TRUE(r.reply.contains("result")) << r.reply.dump();
  ASSERT_EQ(port_.commands().size(), 1u);
  EXPECT_EQ(port_.commands()[0].kind, CommandKind::estop);
}

TEST_F(Access, unmapped_user_when_asking_daemon_info_expect_role_none_reported) {
  const auto r = request_as("trt-nobody", "daemon.info");
  EXPECT_EQ(r.reply["result"]["caller"]["role"], "none") << r.reply.dump();
  EXPECT_EQ(r.reply["result"]["caller"]["uid"], uid_of("trt-nobody"));
}

TEST_F(Access, user_outside_the_socket_group_when_connecting_expect_eacces) {
  const auto r = request_as("trt-outsider", "device.estop");
  EXPECT_EQ(r.connect_errno, EACCES);
}

}  // namespace
}  // namespace traction::testing
