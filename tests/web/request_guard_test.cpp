// SPDX-License-Identifier: Apache-2.0
// The panel's Host and Origin checks (DNS rebinding, cross-site WebSocket hijacking).
#include "web/request_guard.hpp"

#include <gtest/gtest.h>

namespace traction::web {
namespace {

TEST(HostAllowed, when_ip_literal_or_localhost_expect_allowed) {
  EXPECT_TRUE(host_allowed("127.0.0.1:8480", {}));
  EXPECT_TRUE(host_allowed("localhost:8480", {}));
  EXPECT_TRUE(host_allowed("LOCALHOST", {}));
  EXPECT_TRUE(host_allowed("[::1]:8480", {}));
  EXPECT_TRUE(host_allowed("192.168.1.20", {}));
}

TEST(HostAllowed, when_unknown_name_expect_refused_so_that_dns_rebinding_fails) {
  EXPECT_FALSE(host_allowed("attacker.example:8480", {}));
  EXPECT_FALSE(host_allowed("", {}));
  EXPECT_FALSE(host_allowed("::1:8480", {}));  // IPv6 without brackets is not a Host
  EXPECT_FALSE(host_allowed("bench.local:80x", {}));
}

TEST(HostAllowed, when_configured_name_expect_allowed_without_case) {
  EXPECT_TRUE(host_allowed("Bench.Local:8480", {"bench.local"}));
  EXPECT_FALSE(host_allowed("bench.local.attacker.example", {"bench.local"}));
}

TEST(OriginAllowed, when_same_scheme_and_host_expect_allowed) {
  EXPECT_TRUE(origin_allowed("http://127.0.0.1:8480", "127.0.0.1:8480", false, {}));
  EXPECT_TRUE(origin_allowed("https://bench.local", "bench.local:443", true, {}));
  EXPECT_TRUE(origin_allowed("http://LOCALHOST:8480", "localhost:8480", false, {}));
  EXPECT_TRUE(origin_allowed("http://[::1]:8480", "[::1]:8480", false, {}));
}

TEST(OriginAllowed, when_other_site_or_scheme_or_port_expect_refused) {
  EXPECT_FALSE(origin_allowed("http://attacker.example", "127.0.0.1:8480", false, {}));
  EXPECT_FALSE(origin_allowed("http://127.0.0.1:8480", "127.0.0.1:8480", true, {}));
  EXPECT_FALSE(origin_allowed("http://127.0.0.1:9999", "127.0.0.1:8480", false, {}));
  EXPECT_FALSE(
      origin_allowed("http://127.0.0.1:8480.attacker.example", "127.0.0.1:8480", false, {}));
}

TEST(OriginAllowed, when_missing_or_null_expect_refused) {
  EXPECT_FALSE(origin_allowed("", "127.0.0.1:8480", false, {}));
  EXPECT_FALSE(origin_allowed("null", "127.0.0.1:8480", false, {}));
}

TEST(OriginAllowed, when_listed_expect_allowed) {
  EXPECT_TRUE(origin_allowed("https://station.clinic.example", "10.0.0.5:8480", false,
                             {"https://station.clinic.example"}));
}

}  // namespace
}  // namespace traction::web
