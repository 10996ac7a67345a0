// SPDX-License-Identifier: Apache-2.0
// The small service pieces on their own: journal detection, the session tag for log records.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "daemon/service/log_target.hpp"
#include "daemon/service/session_log_tag.hpp"

namespace traction {
namespace {

std::string device_and_inode(int fd) {
  struct stat info {};
  ::fstat(fd, &info);
  return std::to_string(info.st_dev) + ":" + std::to_string(info.st_ino);
}

TEST(JournalDetection, journal_stream_naming_this_fd_means_the_journal) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  const int fd = ::fileno(file);
  EXPECT_TRUE(stream_is_journal(device_and_inode(fd).c_str(), fd));
  std::fclose(file);
}

TEST(JournalDetection, a_redirected_stream_or_no_variable_means_stderr) {
  std::FILE* journal = std::tmpfile();
  std::FILE* redirected = std::tmpfile();
  const std::string stream = device_and_inode(::fileno(journal));
  EXPECT_FALSE(stream_is_journal(stream.c_str(), ::fileno(redirected)));
  EXPECT_FALSE(stream_is_journal(nullptr, ::fileno(journal)));
  EXPECT_FALSE(stream_is_journal("garbage", ::fileno(journal)));
  std::fclose(journal);
  std::fclose(redirected);
}

StatusSnapshot with_session(const std::string& id) {
  StatusSnapshot s;
  s.state = DaemonState::running;
  s.session = SessionProgress{};
  s.session->id = id;
  return s;
}

TEST(SessionLogTag, carries_the_session_until_the_cycle_after_it_ended) {
  SessionLogTag tag;
  EXPECT_EQ(tag.session_id(), "");
  tag.on_cycle(with_session("S-1"), {});
  EXPECT_EQ(tag.session_id(), "S-1");
  StatusSnapshot ended;
  ended.state = DaemonState::idle;
  Event end;
  end.seq = 7;
  end.kind = EventKind::session_ended;
  end.session_id = "S-1";
  tag.on_cycle(ended, {end});
  EXPECT_EQ(tag.session_id(), "S-1") << "the session_ended record is still tagged";
  tag.on_cycle(ended, {});
  EXPECT_EQ(tag.session_id(), "");
}

}  // namespace
}  // namespace traction
