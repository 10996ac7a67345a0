// SPDX-License-Identifier: Apache-2.0
// Every fault command changes what a Modbus master sees, as docs/simulator.md says.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "simulator/physics/drive.hpp"
#include "tests/sim/sim_support.hpp"

namespace traction::sim {
namespace {

using testing::SimClient;
using testing::wait_until;
using namespace std::chrono_literals;
using cia402::State;

TEST(SimFaults, after_comm_loss_the_client_times_out_until_it_ends) {
  SimClient client(DeviceKind::inversion);
  ASSERT_EQ(client.command({{"command", "comm_loss"}, {"seconds", 0.5}})["ok"], true);
  EXPECT_FALSE(client.read("status_word").has_value());
  EXPECT_EQ(errno, ETIMEDOUT);
  EXPECT_TRUE(wait_until([&] { return client.read("status_word").has_value(); }, 2000ms));
}

TEST(SimFaults, comm_loss_with_armed_watchdog_trips_it) {
  SimClient client(DeviceKind::inversion);
  ASSERT_TRUE(client.write("watchdog_timeout", 100));
  ASSERT_TRUE(client.enable());
  client.command({{"command", "comm_loss"}, {"seconds", 0.3}});
  // The master keeps polling, but the drive hears nothing.
  EXPECT_TRUE(wait_until(
      [&] {
        client.read("status_word");
        return client.state()["watchdog_tripped"] == true;
      },
      2000ms));
}

TEST(SimFaults, exceptions_code_6_gives_server_device_busy_n_times_then_normal_replies) {
  SimClient client(DeviceKind::inversion);
  ASSERT_EQ(client.command({{"command", "exceptions"}, {"code", 6}, {"count", 3}})["ok"], true);
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(client.read("status_word").has_value());
    EXPECT_EQ(errno, EMBXSBUSY);
  }
  EXPECT_TRUE(client.read("status_word").has_value());
}

TEST(SimFaults, an_injected_exception_on_a_write_has_no_effect) {
  SimClient client(DeviceKind::inversion);
  client.command({{"command", "exceptions"}, {"code", 6}, {"count", 1}});
  EXPECT_FALSE(client.write("watchdog_timeout", 300));
  EXPECT_EQ(client.read("watchdog_timeout"), 0);
}

TEST(SimFaults, delay_replies_makes_each_reply_late_by_the_given_ms) {
  SimClient client(DeviceKind::inversion);
  client.command({{"command", "delay_replies"}, {"ms", 150}, {"seconds", 5}});
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.read("status_word").has_value());
  EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);
}

TEST(SimFaults, delay_replies_holds_each_reply_without_blocking_other_clients) {
  SimClient client(DeviceKind::inversion);
  modbus_t* other = modbus_new_tcp("127.0.0.1", client.sim().tcp_port());
  ASSERT_EQ(modbus_connect(other), 0);
  modbus_set_response_timeout(other, 1, 0);
  client.command({{"command", "delay_replies"}, {"ms", 200}, {"seconds", 5}});
  const SignalSpec& status = client.map().at("status_word");
  const auto start = std::chrono::steady_clock::now();
  std::thread parallel([&] {
    std::uint16_t word = 0;
    EXPECT_EQ(modbus_read_input_registers(other, status.address, 1, &word), 1);
  });
  EXPECT_TRUE(client.read("status_word").has_value());
  parallel.join();
  // Served side by side: both late by 200 ms, not one after the other (400 ms).
  EXPECT_LT(std::chrono::steady_clock::now() - start, 350ms);
  modbus_close(other);
  modbus_free(other);
}

TEST(SimFaults, delay_replies_beyond_the_client_timeout_times_out) {
  SimClient client(DeviceKind::inversion);
  client.command({{"command", "delay_replies"}, {"ms", 600}, {"seconds", 5}});
  EXPECT_FALSE(client.read("status_word").has_value());
  EXPECT_EQ(errno, ETIMEDOUT);
}

TEST(SimFaults, corrupt_crc_makes_the_next_rtu_replies_fail_their_check) {
  SimClient client(DeviceKind::inversion, /*rtu=*/true);
  client.command({{"command", "corrupt_crc"}, {"count", 2}});
  for (int i = 0; i < 2; ++i) {
    EXPECT_FALSE(client.read("status_word").has_value());
    EXPECT_EQ(errno, EMBBADCRC);
    modbus_flush(client.ctx());
  }
  EXPECT_TRUE(client.read("status_word").has_value());
}

TEST(SimFaults, sensor_stuck_freezes_the_reading_while_the_table_moves) {
  SimClient client(DeviceKind::inversion);
  ASSERT_TRUE(client.write("target", 20.0));
  ASSERT_TRUE(client.enable());
  ASSERT_TRUE(wait_until([&] { return client.read("actual").value_or(0) > 1.0; }));
  client.command({{"command", "sensor_stuck"}, {"seconds", 1.0}});
  const double frozen = *client.read("actual");
  const double truth_before = client.state()["angle_deg"];
  ASSERT_TRUE(
      wait_until([&] { return client.state()["angle_deg"].get<double>() > truth_before + 1.0; }));
  EXPECT_DOUBLE_EQ(*client.read("actual"), frozen);
}

TEST(SimFaults, sensor_noise_scatters_the_reading_at_rest) {
  SimClient client(DeviceKind::inversion);
  client.command({{"command", "sensor_noise"}, {"sigma", 2.0}});
  std::vector<double> readings;
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(wait_until([&] {
      const auto r = client.read("actual");
      if (r && (readings.empty() || *r != readings.back())) readings.push_back(*r);
      return static_cast<int>(readings.size()) > i;
    }));
  }
  double mean = 0;
  for (double r : readings) mean += r / readings.size();
  double var = 0;
  for (double r : readings) var += (r - mean) * (r - mean) / readings.size();
  EXPECT_GT(std::sqrt(var), 0.5);
  EXPECT_DOUBLE_EQ(client.state()["angle_deg"].get<double>(), 0.0);  // the table did not move
}

TEST(SimFaults, force_spike_shows_on_the_bench_force_for_its_duration_only) {
  SimClient client(DeviceKind::traction);
  client.command({{"command", "force_spike"}, {"newtons", 500.0}, {"ms", 300}});
  EXPECT_GT(client.read("actual").value_or(0), 400.0);
  EXPECT_LT(client.state()["peak_force_n"].get<double>(), 1.0);  // ground truth untouched
  EXPECT_TRUE(wait_until([&] { return client.read("actual").value_or(1e9) < 50.0; }));
}

TEST(SimFaults, force_spike_shows_on_the_table_effective_traction) {
  SimClient client(DeviceKind::inversion);
  client.command({{"command", "force_spike"}, {"newtons", 250.0}, {"ms", 300}});
  EXPECT_GT(client.read("actual_force").value_or(0), 200.0);
}

TEST(SimFaults, power_loss_silences_the_device_then_it_powers_up_disabled_and_disarmed) {
  SimClient client(DeviceKind::inversion);
  ASSERT_TRUE(client.write("watchdog_timeout", 500));
  ASSERT_TRUE(client.enable());
  client.command({{"command", "power_loss"}, {"seconds", 0.4}});
  EXPECT_FALSE(client.read("status_word").has_value());
  EXPECT_TRUE(wait_until([&] { return client.read("status_word").has_value(); }, 2000ms));
  EXPECT_EQ(client.drive_state(), State::switch_on_disabled);
  EXPECT_EQ(client.read("watchdog_timeout"), 0);
}

TEST(SimFaults, drive_fault_reports_the_code_and_a_reset_edge_clears_it) {
  SimClient client(DeviceKind::inversion);
  client.command({{"command", "drive_fault"}, {"code", 0x2310}});
  EXPECT_TRUE(wait_until([&] { return client.drive_state() == State::fault; }));
  EXPECT_EQ(client.read("fault_code"), 0x2310);
  ASSERT_TRUE(client.write("control_word", 0x0000));
  ASSERT_TRUE(client.write("control_word", cia402::kFaultResetBit));
  EXPECT_EQ(client.drive_state(), State::switch_on_disabled);
  EXPECT_EQ(client.read("fault_code"), 0);
}

TEST(SimFaults, press_stop_sets_the_stop_bit_and_quick_stops_release_clears_the_bit) {
  SimClient client(DeviceKind::traction);
  ASSERT_TRUE(client.enable());
  client.command({{"command", "press_stop"}});
  EXPECT_EQ(client.read("stop_switch"), 1);
  EXPECT_EQ(client.drive_state(), State::quick_stop_active);
  client.command({{"command", "release_stop"}});
  EXPECT_EQ(client.read("stop_switch"), 0);
  EXPECT_EQ(client.drive_state(), State::quick_stop_active);  // needs the walk to move again
}

TEST(SimFaults, unplug_stop_switch_clears_connected_and_reports_5441_until_plugged) {
  SimClient client(DeviceKind::inversion);
  client.command({{"command", "unplug_stop_switch"}});
  EXPECT_EQ(client.read("stop_switch_connected"), 0);
  EXPECT_EQ(client.read("fault_code"), kWarnStopSwitchUnplugged);
  client.command({{"command", "plug_stop_switch"}});
  EXPECT_EQ(client.read("stop_switch_connected"), 1);
  EXPECT_EQ(client.read("fault_code"), 0);
}

TEST(SimFaults, reset_peaks_restarts_ground_truth_peaks_from_now) {
  SimClient client(DeviceKind::inversion);
  ASSERT_TRUE(client.write("target", 3.0));
  ASSERT_TRUE(client.enable());
  ASSERT_TRUE(wait_until([&] { return client.state()["angle_deg"].get<double>() > 2.99; }));
  ASSERT_TRUE(client.write("target", 0.0));
  ASSERT_TRUE(wait_until([&] { return client.state()["angle_deg"].get<double>() < 0.01; }));
  EXPECT_GT(client.state()["peak_angle_deg"].get<double>(), 2.99);
  client.command({{"command", "reset_peaks"}});
  EXPECT_LT(client.state()["peak_angle_deg"].get<double>(), 0.02);
}

TEST(SimFaults, drive_reaction_hold_makes_a_fault_stop_and_hold_in_place_over_modbus) {
  SimClient client(DeviceKind::inversion);
  ASSERT_EQ(client.command({{"command", "drive_reaction"}, {"mode", "hold"}})["ok"], true);
  EXPECT_EQ(client.state()["drive_reaction"], "hold");
  ASSERT_TRUE(client.write("target", 5.0));
  ASSERT_TRUE(client.enable());
  ASSERT_TRUE(wait_until([&] { return client.state()["angle_deg"].get<double>() > 4.999; }));
  client.command({{"command", "drive_fault"}, {"code", 0x2310}});
  EXPECT_TRUE(wait_until([&] { return client.drive_state() == State::fault; }));
  EXPECT_EQ(client.state()["brake"], true);
  EXPECT_NEAR(*client.read("actual"), 5.0, 0.001) << "held where it was, not taken home";
  ASSERT_EQ(client.command({{"command", "drive_reaction"}, {"mode", "home"}})["ok"], true);
  EXPECT_EQ(client.state()["drive_reaction"], "home");
}

TEST(SimFaults, drive_reaction_refuses_an_unknown_mode_naming_the_choices) {
  SimClient client(DeviceKind::inversion);
  const nlohmann::json reply = client.command({{"command", "drive_reaction"}, {"mode", "park"}});
  EXPECT_EQ(reply["ok"], false);
  EXPECT_NE(reply["error"].get<std::string>().find("hold"), std::string::npos) << reply.dump();
  EXPECT_EQ(client.command({{"command", "drive_reaction"}})["ok"], false);
}

TEST(SimFaults, watchdog_ignore_reads_back_the_timeout_but_never_trips) {
  SimClient client(DeviceKind::traction);
  ASSERT_EQ(client.command({{"command", "watchdog_ignore"}, {"on", true}})["ok"], true);
  ASSERT_TRUE(client.write("watchdog_timeout", 100));
  ASSERT_TRUE(client.enable());
  const double armed_at = client.state()["t"];
  // Silence well past the timeout, measured on the simulator's own clock.
  ASSERT_TRUE(
      wait_until([&] { return client.state()["t"].get<double>() > armed_at + 0.5; }, 2000ms));
  EXPECT_EQ(client.read("watchdog_timeout"), 100);
  EXPECT_EQ(client.state()["watchdog_ignored"], true);
  EXPECT_EQ(client.state()["watchdog_tripped"], false);
  EXPECT_EQ(client.drive_state(), State::operation_enabled);
  ASSERT_EQ(client.command({{"command", "watchdog_ignore"}, {"on", false}})["ok"], true);
  client.command({{"command", "comm_loss"}, {"seconds", 0.3}});
  EXPECT_TRUE(wait_until([&] { return client.state()["watchdog_tripped"] == true; }, 2000ms));
  EXPECT_EQ(client.command({{"command", "watchdog_ignore"}})["ok"], false) << "on is required";
}

TEST(SimFaults, stop_switch_dead_shows_pressed_to_the_master_but_the_drive_goes_on) {
  SimClient client(DeviceKind::inversion);
  ASSERT_EQ(client.command({{"command", "stop_switch_dead"}, {"on", true}})["ok"], true);
  ASSERT_TRUE(client.write("target", 3.0));
  ASSERT_TRUE(client.enable());
  client.command({{"command", "press_stop"}});
  EXPECT_EQ(client.read("stop_switch"), 1);
  EXPECT_EQ(client.drive_state(), State::operation_enabled);
  EXPECT_EQ(static_cast<int>(*client.read("status_word")) & 0x0080, 0) << "no warning either";
  EXPECT_TRUE(wait_until([&] { return client.state()["angle_deg"].get<double>() > 2.999; }));
  EXPECT_EQ(client.state()["stop_switch_wired"], false);
  ASSERT_EQ(client.command({{"command", "stop_switch_dead"}, {"on", false}})["ok"], true);
  EXPECT_EQ(client.drive_state(), State::quick_stop_active) << "wired again while still pressed";
}

TEST(SimControl, state_reports_the_documented_fields) {
  SimClient table(DeviceKind::inversion);
  const nlohmann::json s = table.state();
  for (const char* key : {"ok",
                          "t",
                          "angle_deg",
                          "velocity",
                          "drive",
                          "fault_code",
                          "stop_pressed",
                          "stop_connected",
                          "watchdog_tripped",
                          "peak_angle_deg",
                          "requests",
                          "target",
                          "kind",
                          "velocity_limit",
                          "watchdog_timeout_ms",
                          "peak_velocity",
                          "peak_accel",
                          "control_word",
                          "brake",
                          "drive_reaction",
                          "watchdog_ignored",
                          "stop_switch_wired"}) {
    EXPECT_TRUE(s.contains(key)) << key;
  }
  SimClient bench(DeviceKind::traction);
  EXPECT_TRUE(bench.state().contains("force_n"));
  EXPECT_TRUE(bench.state().contains("peak_force_n"));
}

TEST(SimControl, unknown_command_is_refused_with_a_hint) {
  SimClient client(DeviceKind::inversion);
  const nlohmann::json reply = client.command({{"command", "press_stp"}});
  EXPECT_EQ(reply["ok"], false);
  EXPECT_NE(reply["error"].get<std::string>().find("press_stop"), std::string::npos)
      << reply.dump();
}

TEST(SimControl, missing_or_out_of_range_argument_is_refused) {
  SimClient client(DeviceKind::inversion);
  EXPECT_EQ(client.command({{"command", "drive_fault"}})["ok"], false);
  EXPECT_EQ(client.command({{"command", "exceptions"}, {"code", 6}, {"count", -1}})["ok"], false);
  EXPECT_EQ(client.command({{"command", "comm_loss"}, {"seconds", 1}, {"extra", 1}})["ok"], false);
}

}  // namespace
}  // namespace traction::sim
