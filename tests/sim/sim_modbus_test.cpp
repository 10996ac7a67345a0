// SPDX-License-Identifier: Apache-2.0
// traction-sim over real Modbus, both models, over loopback TCP and over RTU on a pty pair.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmath>
#include <tuple>

#include "simulator/physics/drive.hpp"
#include "tests/sim/sim_support.hpp"

namespace traction::sim {
namespace {

using testing::SimClient;
using testing::wait_until;
using namespace std::chrono_literals;

struct Case {
  DeviceKind kind;
  bool rtu;
};

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  return std::string(to_string(info.param.kind)) + (info.param.rtu ? "_rtu" : "_tcp");
}

class SimModbus : public ::testing::TestWithParam<Case> {
 protected:
  SimClient client_{GetParam().kind, GetParam().rtu};
  // A target in the middle of each model's travel.
  double move_target() const { return GetParam().kind == DeviceKind::inversion ? 5.0 : 60.0; }
  double tolerance() const { return GetParam().kind == DeviceKind::inversion ? 0.01 : 3.0; }
};

TEST_P(SimModbus, identity_registers_read_vendor_product_and_firmware) {
  EXPECT_EQ(client_.read("vendor_id"), 0x7AC7);
  EXPECT_EQ(client_.read("product_code"), GetParam().kind == DeviceKind::inversion ? 1 : 2);
  EXPECT_EQ(client_.read("firmware_version"), 0x0100);
}

TEST_P(SimModbus, powers_up_switch_on_disabled_with_watchdog_disarmed_and_stop_switch_connected) {
  EXPECT_EQ(client_.drive_state(), cia402::State::switch_on_disabled);
  EXPECT_EQ(client_.read("watchdog_timeout"), 0);
  EXPECT_EQ(client_.read("stop_switch_connected"), 1);
  EXPECT_EQ(client_.read("stop_switch"), 0);
}

TEST_P(SimModbus, when_enabled_and_given_a_target_expect_actual_to_reach_it) {
  ASSERT_TRUE(client_.write("target", move_target()));
  ASSERT_TRUE(client_.enable());
  EXPECT_EQ(client_.drive_state(), cia402::State::operation_enabled);
  EXPECT_TRUE(wait_until(
      [&] {
        const auto actual = client_.read("actual");
        return actual && std::abs(*actual - move_target()) < tolerance();
      },
      5000ms));
}

TEST_P(SimModbus, holding_registers_read_back_what_was_written) {
  ASSERT_TRUE(client_.write("watchdog_timeout", 750));
  ASSERT_TRUE(client_.write("velocity_limit", 2.5));
  ASSERT_TRUE(client_.write("heartbeat", 42));
  EXPECT_EQ(client_.read("watchdog_timeout"), 750);
  EXPECT_NEAR(*client_.read("velocity_limit"), 2.5, 0.1);
  EXPECT_EQ(client_.read("heartbeat"), 42);
  EXPECT_EQ(client_.state()["watchdog_timeout_ms"], 750);
}

TEST_P(SimModbus, when_reading_past_the_map_expect_illegal_data_address) {
  std::uint16_t words[4];
  int last_input = 0;
  for (const auto& [name, spec] : client_.map().signals()) {
    if (spec.table == Table::input) last_input = std::max(last_input, spec.address + spec.width());
  }
  EXPECT_EQ(modbus_read_input_registers(client_.ctx(), last_input, 1, words), -1);
  EXPECT_EQ(errno, EMBXILADD);
  EXPECT_EQ(modbus_read_bits(client_.ctx(), 0, 1, reinterpret_cast<std::uint8_t*>(words)), -1);
  EXPECT_EQ(errno, EMBXILADD);
}

// The exception code of a raw reply, or -1 when the reply is not an exception for `function`.
int exception_in(modbus_t* ctx, const std::uint8_t* reply, int length, std::uint8_t function) {
  const int h = modbus_get_header_length(ctx);
  if (length < h + 2 || reply[h] != (function | 0x80)) return -1;
  return reply[h + 1];
}

TEST_P(SimModbus, when_function_is_unsupported_expect_illegal_function) {
  // 0x41 is a user-defined function code without data, so RTU can frame it without knowing it.
  const std::uint8_t user_function[] = {1, 0x41};
  ASSERT_GT(modbus_send_raw_request(client_.ctx(), user_function, sizeof user_function), 0);
  std::uint8_t reply[MODBUS_MAX_ADU_LENGTH];
  const int length = modbus_receive_confirmation(client_.ctx(), reply);
  EXPECT_EQ(exception_in(client_.ctx(), reply, length, 0x41), MODBUS_EXCEPTION_ILLEGAL_FUNCTION);
}

TEST_P(SimModbus,
       when_watchdog_armed_and_master_goes_quiet_expect_comm_loss_fault_and_safe_reaction) {
  ASSERT_TRUE(client_.write("watchdog_timeout", 150));
  ASSERT_TRUE(client_.enable());
  EXPECT_TRUE(wait_until([&] { return client_.state()["watchdog_tripped"] == true; }, 2000ms));
  EXPECT_EQ(client_.read("fault_code"), kFaultCommLoss);
  const cia402::State state = client_.drive_state();
  EXPECT_TRUE(state == cia402::State::fault || state == cia402::State::fault_reaction_active);
}

TEST_P(SimModbus, when_only_heartbeats_arrive_expect_the_watchdog_kept_alive) {
  ASSERT_TRUE(client_.write("watchdog_timeout", 150));
  ASSERT_TRUE(client_.enable());
  for (int i = 0; i < 12; ++i) {
    ASSERT_TRUE(client_.write("heartbeat", i));
    std::this_thread::sleep_for(50ms);  // the master's cycle, not a wait for a condition
  }
  EXPECT_EQ(client_.state()["watchdog_tripped"], false);
  EXPECT_EQ(client_.drive_state(), cia402::State::operation_enabled);
}

TEST_P(SimModbus, requests_served_are_counted_in_state) {
  const std::uint64_t before = client_.state()["requests"];
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(client_.read("status_word"));
  EXPECT_EQ(client_.state()["requests"].get<std::uint64_t>(), before + 5);
}

INSTANTIATE_TEST_SUITE_P(BothModelsBothTransports, SimModbus,
                         ::testing::Values(Case{DeviceKind::inversion, false},
                                           Case{DeviceKind::inversion, true},
                                           Case{DeviceKind::traction, false},
                                           Case{DeviceKind::traction, true}),
                         case_name);

TEST(SimTcp, serves_several_clients_at_once) {
  SimClient first(DeviceKind::inversion);
  modbus_t* second = modbus_new_tcp("127.0.0.1", first.sim().tcp_port());
  ASSERT_EQ(modbus_connect(second), 0);
  const SignalSpec& vendor = first.map().at("vendor_id");
  for (int i = 0; i < 10; ++i) {
    std::uint16_t word = 0;
    EXPECT_EQ(modbus_read_input_registers(second, vendor.address, 1, &word), 1);
    EXPECT_EQ(first.read("vendor_id"), 0x7AC7);
  }
  modbus_close(second);
  modbus_free(second);
}

TEST(SimTcp, when_a_client_stalls_mid_frame_expect_it_dropped_and_others_served) {
  SimClient client(DeviceKind::inversion);
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(client.sim().tcp_port()));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  // Three bytes of an MBAP header and nothing more: the frame can never complete.
  const std::uint8_t partial[] = {0x00, 0x01, 0x00};
  ASSERT_EQ(send(fd, partial, sizeof partial, MSG_NOSIGNAL), static_cast<ssize_t>(sizeof partial));
  EXPECT_TRUE(wait_until([&] {
    char byte;
    return recv(fd, &byte, 1, MSG_DONTWAIT) == 0;  // the simulator closed it
  }));
  close(fd);
  EXPECT_EQ(client.read("vendor_id"), 0x7AC7);
}

TEST(SimTcp, when_a_frame_has_an_absurd_register_count_expect_illegal_data_value) {
  SimClient client(DeviceKind::inversion);
  std::uint16_t words[130];
  EXPECT_EQ(modbus_read_input_registers(client.ctx(), 0, 126, words), -1);
  // libmodbus refuses to send >125 itself, so hand-craft the request.
  const std::uint8_t request[] = {1, 0x04, 0x00, 0x00, 0xDE, 0xAD};
  ASSERT_GT(modbus_send_raw_request(client.ctx(), request, sizeof request), 0);
  std::uint8_t reply[MODBUS_MAX_ADU_LENGTH];
  const int length = modbus_receive_confirmation(client.ctx(), reply);
  EXPECT_EQ(exception_in(client.ctx(), reply, length, 0x04), MODBUS_EXCEPTION_ILLEGAL_DATA_VALUE);
  EXPECT_EQ(client.read("vendor_id"), 0x7AC7);
}

TEST(SimRtu, when_line_noise_arrives_expect_the_next_request_served) {
  testing::PtyPair unused;  // keeps fd numbers apart from the client's pair
  SimClient client(DeviceKind::traction, /*rtu=*/true);
  const std::uint8_t noise[] = {0x01, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0xFF, 0x07};
  ASSERT_EQ(write(modbus_get_socket(client.ctx()), noise, sizeof noise),
            static_cast<ssize_t>(sizeof noise));
  EXPECT_TRUE(wait_until([&] {
    modbus_flush(client.ctx());
    return client.read("vendor_id") == 0x7AC7;
  }));
}

TEST(SimRtu, when_addressed_to_another_unit_expect_no_reply) {
  SimClient client(DeviceKind::inversion, /*rtu=*/true);
  modbus_set_slave(client.ctx(), 7);
  EXPECT_FALSE(client.read("vendor_id").has_value());
  EXPECT_EQ(errno, ETIMEDOUT);
}

}  // namespace
}  // namespace traction::sim
