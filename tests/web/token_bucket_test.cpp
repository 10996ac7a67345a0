// SPDX-License-Identifier: Apache-2.0
// The rate limit of page messages and logins, on a simulated clock.
#include "web/token_bucket.hpp"

#include <gtest/gtest.h>

namespace traction::web {
namespace {

using namespace std::chrono_literals;
const TokenBucket::Clock::time_point t0{};

TEST(TokenBucket, when_burst_used_expect_refused_until_refilled) {
  TokenBucket bucket(20, 40);
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(bucket.take(t0)) << i;
  EXPECT_FALSE(bucket.take(t0));
  EXPECT_NEAR(bucket.wait_seconds(t0), 0.05, 1e-9);
  EXPECT_FALSE(bucket.take(t0 + 40ms));
  EXPECT_TRUE(bucket.take(t0 + 50ms));
}

TEST(TokenBucket, when_steady_at_the_rate_expect_never_refused) {
  TokenBucket bucket(20, 1);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(bucket.take(t0 + i * 50ms)) << i;
}

TEST(TokenBucket, when_idle_long_expect_no_more_than_the_burst) {
  TokenBucket bucket(10.0 / 60, 5);
  EXPECT_TRUE(bucket.take(t0));
  int taken = 0;
  while (bucket.take(t0 + 1h)) ++taken;
  EXPECT_EQ(taken, 5);
}

}  // namespace
}  // namespace traction::web
