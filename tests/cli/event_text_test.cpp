// SPDX-License-Identifier: Apache-2.0
// Events as lines for people: the local time, then what happened in words.
#include "cli/event_text.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

namespace traction::client {
namespace {

using nlohmann::json;

// Sets TZ for one test (a POSIX rule: no time zone database needed) and restores it after.
class InTimeZone {
 public:
  explicit InTimeZone(const char* tz) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    setenv("TZ", tz, 1);
    tzset();
  }
  ~InTimeZone() {
    if (old_) {
      setenv("TZ", old_->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }
  InTimeZone(const InTimeZone&) = delete;
  InTimeZone& operator=(const InTimeZone&) = delete;

 private:
  std::optional<std::string> old_;
};

json event(const std::string& kind, const json& detail) {
  return {{"seq", 7}, {"kind", kind}, {"time_utc", "2026-11-20T23:16:38.644Z"}, {"detail", detail}};
}

TEST(LocalClock, when_utc_expect_the_same_clock_time) {
  InTimeZone utc("UTC0");
  EXPECT_EQ(local_clock("2026-11-20T23:16:38.644Z"), "23:16:38");
}

TEST(LocalClock, when_two_hours_east_expect_the_clock_past_midnight) {
  InTimeZone east("XST-2");
  EXPECT_EQ(local_clock("2026-11-20T23:16:38.644Z"), "01:16:38");
}

TEST(LocalClock, when_time_is_missing_or_garbled_expect_placeholder) {
  EXPECT_EQ(local_clock(""), "--:--:--");
  EXPECT_EQ(local_clock("yesterday"), "--:--:--");
}

TEST(WithUnit, when_degrees_expect_degree_sign_and_whole_numbers_without_decimals) {
  EXPECT_EQ(with_unit(15.0, "deg"), "15°");
  EXPECT_EQ(with_unit(12.34, "deg"), "12.3°");
  EXPECT_EQ(with_unit(-0.01, "deg"), "0°");
  EXPECT_EQ(with_unit(100.0, "N"), "100 N");
}

TEST(EventLine, when_phase_changes_expect_time_and_the_phase_label) {
  InTimeZone utc("UTC0");
  const json e = event("phase_changed", {{"index", 1},
                                         {"kind", "hold"},
                                         {"label", "hold 15° for 5 s"},
                                         {"repetition", 1},
                                         {"target", 15.0}});
  EXPECT_EQ(event_line(e, "deg"), "23:16:38  hold 15° for 5 s");
}

TEST(EventText, when_a_later_repetition_begins_expect_its_number) {
  const json e = event(
      "phase_changed",
      {{"kind", "hold"}, {"label", "hold 20° for 20 s"}, {"repetition", 3}, {"target", 20.0}});
  EXPECT_EQ(event_text(e, "deg"), "hold 20° for 20 s, repetition 3");
}

TEST(EventText, when_session_starts_expect_program_profile_and_length) {
  const json e = event(
      "session_started",
      {{"id", "s1-2"}, {"program", "quick-check"}, {"profile", "alice"}, {"total_seconds", 11.0}});
  EXPECT_EQ(event_text(e, "deg"), "session s1-2 started: quick-check for alice, about 0:11");
}

TEST(EventText, when_session_ends_by_a_rule_expect_outcome_reason_rule_and_peak) {
  const json e = event("session_ended", {{"id", "s1-2"},
                                         {"program", "quick-check"},
                                         {"outcome", "faulted"},
                                         {"reason", "following error 3.2° for 0.5 s"},
                                         {"rule", "following_error"},
                                         {"peak", 14.96}});
  EXPECT_EQ(event_text(e, "deg"),
            "session s1-2 faulted: following error 3.2° for 0.5 s [rule following_error]; "
            "peak 15°");
}

TEST(EventText, when_state_changes_expect_from_to_and_why) {
  const json e = event("state_changed",
                       {{"from", "running"}, {"to", "stopping"}, {"reason", "stop requested"}});
  EXPECT_EQ(event_text(e, "deg"), "state running → stopping (stop requested)");
}

TEST(EventText, when_safety_events_expect_them_in_capitals_with_their_words) {
  EXPECT_EQ(event_text(event("estop", {{"by", "uid=0 pid=4"}}), "deg"),
            "EMERGENCY STOP by uid=0 pid=4");
  EXPECT_EQ(event_text(event("fault", {{"rule", "end_stop"}, {"message", "end stop high"}}), "N"),
            "FAULT: end stop high [rule end_stop]");
  EXPECT_EQ(event_text(event("stop_switch", {{"rule", "stop_switch"}, {"message", "pressed"}}), ""),
            "STOP SWITCH: pressed");
  EXPECT_EQ(event_text(event("release_stalled", {{"reason", "no motion"}}), "N"),
            "RELEASE STALLED: no motion");
  EXPECT_EQ(event_text(event("device_lost", {{"failures", 3}}), "N"),
            "DEVICE LOST after 3 failed exchanges");
}

TEST(EventText, when_release_or_recovery_expect_the_reading_with_its_unit) {
  EXPECT_EQ(event_text(event("recovery_started", {{"reason", "slack"}, {"actual", 42.5}}), "N"),
            "recovery started at 42.5 N (slack)");
  EXPECT_EQ(event_text(event("release_resumed", {{"state", "stopping"}, {"actual", 12.0}}), "deg"),
            "release resumed at 12° (state stopping)");
  EXPECT_EQ(event_text(event("reset", {{"by", "uid=0"}, {"cleared", "estop"}}), "deg"),
            "reset by uid=0 (cleared estop)");
  EXPECT_EQ(event_text(event("device_regained", json::object()), "deg"), "device answers again");
}

TEST(EventText, when_kind_is_unknown_expect_kind_and_raw_detail) {
  EXPECT_EQ(event_text(event("new_kind", {{"x", 1}}), "deg"), "new_kind {\"x\":1}");
  EXPECT_EQ(event_text(json::array(), "deg"), "?");
}

}  // namespace
}  // namespace traction::client
