// SPDX-License-Identifier: Apache-2.0
// Broker addresses as given to --broker and tractionctl fleet --broker.
#include "mqtt/broker_url.hpp"

#include <gtest/gtest.h>

namespace traction::mqtt {
namespace {

TEST(BrokerUrl, when_plain_with_port_expect_host_port_and_no_tls) {
  auto url = parse_broker_url("mqtt://broker.local:1884");
  ASSERT_TRUE(url) << url.status().message();
  EXPECT_EQ(url->host, "broker.local");
  EXPECT_EQ(url->port, 1884);
  EXPECT_FALSE(url->tls);
  EXPECT_EQ(url->to_string(), "mqtt://broker.local:1884");
}

TEST(BrokerUrl, when_no_port_expect_the_default_of_the_scheme) {
  EXPECT_EQ(parse_broker_url("mqtt://h")->port, 1883);
  auto secure = parse_broker_url("mqtts://h/");
  ASSERT_TRUE(secure);
  EXPECT_EQ(secure->port, 8883);
  EXPECT_TRUE(secure->tls);
}

TEST(BrokerUrl, when_ipv6_in_brackets_expect_the_address) {
  auto url = parse_broker_url("mqtt://[::1]:1883");
  ASSERT_TRUE(url) << url.status().message();
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->to_string(), "mqtt://[::1]:1883");
}

TEST(BrokerUrl, when_malformed_expect_an_error_naming_the_problem) {
  EXPECT_NE(parse_broker_url("tcp://h:1").status().message().find("unknown scheme"),
            std::string::npos);
  EXPECT_NE(parse_broker_url("mqtt://h:99999").status().message().find("port"), std::string::npos);
  EXPECT_NE(parse_broker_url("mqtt://:1883").status().message().find("no host"), std::string::npos);
  EXPECT_NE(parse_broker_url("mqtt://h:1/x").status().message().find("no path"), std::string::npos);
  EXPECT_FALSE(parse_broker_url("mqtt://h:1x"));
}

}  // namespace
}  // namespace traction::mqtt
