// SPDX-License-Identifier: Apache-2.0
#include "drivers/modbus/device_uri.hpp"

#include <gtest/gtest.h>

namespace traction {
namespace {

TEST(DeviceUri, tcp_with_port_and_unit_is_parsed) {
  auto uri = parse_device_uri("tcp://192.168.1.20:1502?unit=7");
  ASSERT_TRUE(uri.ok()) << uri.status().message();
  EXPECT_EQ(uri->transport, DeviceUri::Transport::tcp);
  EXPECT_EQ(uri->host, "192.168.1.20");
  EXPECT_EQ(uri->port, 1502);
  EXPECT_EQ(uri->unit, 7);
}

TEST(DeviceUri, tcp_without_port_or_unit_defaults_to_502_and_unit_1) {
  auto uri = parse_device_uri("tcp://drive.local");
  ASSERT_TRUE(uri.ok()) << uri.status().message();
  EXPECT_EQ(uri->host, "drive.local");
  EXPECT_EQ(uri->port, 502);
  EXPECT_EQ(uri->unit, 1);
}

TEST(DeviceUri, tcp_ipv6_host_in_brackets_is_parsed) {
  auto uri = parse_device_uri("tcp://[::1]:5020?unit=255");
  ASSERT_TRUE(uri.ok()) << uri.status().message();
  EXPECT_EQ(uri->host, "::1");
  EXPECT_EQ(uri->port, 5020);
  EXPECT_EQ(uri->unit, 255);
  EXPECT_EQ(to_string(*uri), "tcp://[::1]:5020?unit=255");
}

TEST(DeviceUri, rtu_with_every_serial_setting_is_parsed) {
  auto uri =
      parse_device_uri("rtu:///dev/ttyUSB0?baud=38400&parity=E&data_bits=7&stop_bits=2&unit=12");
  ASSERT_TRUE(uri.ok()) << uri.status().message();
  EXPECT_EQ(uri->transport, DeviceUri::Transport::rtu);
  EXPECT_EQ(uri->device, "/dev/ttyUSB0");
  EXPECT_EQ(uri->baud, 38400);
  EXPECT_EQ(uri->parity, 'E');
  EXPECT_EQ(uri->data_bits, 7);
  EXPECT_EQ(uri->stop_bits, 2);
  EXPECT_EQ(uri->unit, 12);
}

TEST(DeviceUri, rtu_without_query_defaults_to_19200_8N1_unit_1) {
  auto uri = parse_device_uri("rtu:///dev/ttyS1");
  ASSERT_TRUE(uri.ok()) << uri.status().message();
  EXPECT_EQ(uri->baud, 19200);
  EXPECT_EQ(uri->parity, 'N');
  EXPECT_EQ(uri->data_bits, 8);
  EXPECT_EQ(uri->stop_bits, 1);
  EXPECT_EQ(uri->unit, 1);
}

TEST(DeviceUri, when_scheme_unknown_expect_error_naming_the_forms) {
  auto uri = parse_device_uri("udp://10.0.0.1:502");
  ASSERT_FALSE(uri.ok());
  EXPECT_EQ(uri.status().code(), Errc::invalid_argument);
  EXPECT_NE(uri.status().message().find("tcp:// or rtu://"), std::string::npos);
}

TEST(DeviceUri, when_query_key_misspelt_expect_did_you_mean) {
  auto uri = parse_device_uri("rtu:///dev/ttyUSB0?buad=9600");
  ASSERT_FALSE(uri.ok());
  EXPECT_NE(uri.status().message().find("did you mean \"baud\""), std::string::npos)
      << uri.status().message();
}

TEST(DeviceUri, when_parity_is_not_N_E_or_O_expect_error) {
  EXPECT_FALSE(parse_device_uri("rtu:///dev/ttyUSB0?parity=X").ok());
}

TEST(DeviceUri, when_rtu_unit_is_broadcast_zero_expect_error) {
  auto uri = parse_device_uri("rtu:///dev/ttyUSB0?unit=0");
  ASSERT_FALSE(uri.ok());
  EXPECT_NE(uri.status().message().find("unit 0 is outside [1, 247]"), std::string::npos)
      << uri.status().message();
}

TEST(DeviceUri, when_port_is_not_a_number_expect_error) {
  EXPECT_FALSE(parse_device_uri("tcp://10.0.0.1:50x2").ok());
  EXPECT_FALSE(parse_device_uri("tcp://10.0.0.1:0").ok());
  EXPECT_FALSE(parse_device_uri("tcp://10.0.0.1:").ok());
}

TEST(DeviceUri, when_host_or_device_missing_expect_error) {
  EXPECT_FALSE(parse_device_uri("tcp://:502").ok());
  EXPECT_FALSE(parse_device_uri("rtu://?baud=9600").ok());
}

TEST(DeviceUri, when_a_key_is_repeated_expect_error) {
  EXPECT_FALSE(parse_device_uri("tcp://10.0.0.1?unit=1&unit=2").ok());
}

}  // namespace
}  // namespace traction
