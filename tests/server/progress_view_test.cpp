// SPDX-License-Identifier: Apache-2.0
// How tractionctl renders status objects and events.
#include "cli/progress_view.hpp"

#include <gtest/gtest.h>

namespace traction::client {
namespace {

nlohmann::json running_status() {
  return {{"state", "running"},
          {"unit", "deg"},
          {"device", {{"kind", "inversion"}, {"angle_deg", 14.84}, {"stop_connected", true}}},
          {"setpoint", 15.0},
          {"session",
           {{"id", "s-1"},
            {"program", "quick-check"},
            {"phase_index", 1},
            {"phase_count", 5},
            {"phase_kind", "hold"},
            {"repetition", 1},
            {"repetitions", 3},
            {"target", 15.0},
            {"remaining_seconds", 12.2},
            {"progress", 0.4}}},
          {"last_session", nullptr},
          {"fault", nullptr}};
}

TEST(FormatSeconds, when_positive_expect_minutes_and_padded_seconds_rounded_up) {
  EXPECT_EQ(format_seconds(65.0), "1:05");
  EXPECT_EQ(format_seconds(0.2), "0:01");
  EXPECT_EQ(format_seconds(0.0), "0:00");
}

TEST(FormatSeconds, when_negative_expect_placeholder) {
  EXPECT_EQ(format_seconds(-1.0), "--:--");
}

TEST(ProgressLine, when_session_runs_expect_phase_repetition_target_actual_bar_and_time_left) {
  const std::string line = progress_line(running_status(), 120);
  EXPECT_NE(line.find("hold 2/5"), std::string::npos) << line;
  EXPECT_NE(line.find("rep 1/3"), std::string::npos) << line;
  EXPECT_NE(line.find("14.8 deg (target 15.0)"), std::string::npos) << line;
  EXPECT_NE(line.find("[######..........]"), std::string::npos) << line;
  EXPECT_NE(line.find("40%"), std::string::npos) << line;
  EXPECT_NE(line.find("0:13 left"), std::string::npos) << line;
}

TEST(ProgressLine, when_terminal_has_80_columns_expect_the_bar_to_fit) {
  const std::string line = progress_line(running_status(), 79);
  EXPECT_NE(line.find("[#"), std::string::npos) << line;
  EXPECT_NE(line.find("left"), std::string::npos) << line;
}

TEST(ProgressLine, when_phase_is_outside_the_repetitions_expect_no_rep) {
  auto status = running_status();
  status["session"]["repetition"] = 0;
  EXPECT_EQ(progress_line(status, 120).find("rep"), std::string::npos);
}

TEST(ProgressLine, when_terminal_is_narrow_expect_line_within_width) {
  EXPECT_LE(progress_line(running_status(), 40).size(), 40u);
}

TEST(ProgressLine, when_no_session_expect_state_and_actual) {
  auto status = running_status();
  status["state"] = "idle";
  status["session"] = nullptr;
  EXPECT_EQ(progress_line(status, 80), "idle | actual 14.8 deg");
}

TEST(PlainStatusLine, when_session_runs_expect_key_value_fields) {
  EXPECT_EQ(plain_status_line(running_status()),
            "state=running actual=14.84 unit=deg phase=hold phase_index=2/5 repetition=1/3 "
            "target=15.00 remaining_s=12.2");
}

TEST(StatusText, when_last_session_ended_expect_outcome_and_reason) {
  auto status = running_status();
  status["session"] = nullptr;
  status["last_session"] = {{"id", "s-1"},
                            {"program", "quick-check"},
                            {"outcome", "stopped"},
                            {"reason", "session.stop"}};
  const std::string text = status_text(status);
  EXPECT_NE(text.find("last:     quick-check (s-1) stopped: session.stop"), std::string::npos)
      << text;
}

}  // namespace
}  // namespace traction::client
