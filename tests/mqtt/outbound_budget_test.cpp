// SPDX-License-Identifier: Apache-2.0
// The bounded outgoing queue: telemetry beyond the limit or while disconnected is dropped and
// counted; control messages always go while connected.
#include "mqtt/outbound_budget.hpp"

#include <gtest/gtest.h>

namespace traction::mqtt {
namespace {

TEST(OutboundBudget, when_disconnected_expect_everything_dropped_and_counted) {
  OutboundBudget budget(3);
  EXPECT_FALSE(budget.admit(Priority::telemetry));
  EXPECT_FALSE(budget.admit(Priority::control));
  EXPECT_EQ(budget.dropped(), 2U);
}

TEST(OutboundBudget, when_the_broker_stalls_expect_telemetry_dropped_at_the_limit_not_control) {
  OutboundBudget budget(3);
  budget.connected();
  for (int mid = 1; mid <= 3; ++mid) {
    ASSERT_TRUE(budget.admit(Priority::telemetry));
    budget.sent(mid);
  }
  EXPECT_FALSE(budget.admit(Priority::telemetry));
  EXPECT_FALSE(budget.admit(Priority::telemetry));
  EXPECT_EQ(budget.dropped(), 2U);
  EXPECT_TRUE(budget.admit(Priority::control));  // a reply to an estop still goes out
  budget.done(2);                                // the broker acknowledged one
  EXPECT_TRUE(budget.admit(Priority::telemetry));
  EXPECT_EQ(budget.in_flight(), 2U);
}

TEST(OutboundBudget, when_reconnected_expect_a_fresh_budget_and_the_count_kept) {
  OutboundBudget budget(1);
  budget.connected();
  budget.sent(1);
  EXPECT_FALSE(budget.admit(Priority::telemetry));
  budget.disconnected();
  budget.connected();
  EXPECT_EQ(budget.in_flight(), 0U);
  EXPECT_TRUE(budget.admit(Priority::telemetry));
  EXPECT_EQ(budget.dropped(), 1U);
}

}  // namespace
}  // namespace traction::mqtt
