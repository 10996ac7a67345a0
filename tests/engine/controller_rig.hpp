// SPDX-License-Identifier: Apache-2.0
// A SessionController driving the simulator's physics in process with a simulated clock: each
// period does what the control loop does (read the device, run the controller, carry out its drive
// requests as the Modbus driver would, write the setpoint) without threads or Modbus, thousands of
// times faster than real time. Faults are injected on the simulated device (stop switch, drive
// fault, sensors) or on its link (reads that time out or fail at once).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <vector>

#include "daemon/engine/session_controller.hpp"
#include "drivers/device_file.hpp"
#include "simulator/physics/model.hpp"
#include "simulator/physics/sim_device.hpp"
#include "tests/engine/sim_fixtures.hpp"

namespace traction::engine_test {

// One control period as recorded by the rig.
struct CycleRecord {
  double t = 0.0;
  double setpoint = 0.0;
  bool governed = false;  // the drive followed setpoints, so the governor moved the setpoint
  bool written = false;   // the setpoint reached the drive this cycle
  double truth = 0.0;     // ground-truth axis (angle or force)
  double actual = 0.0;    // what the controller read
  DaemonState state = DaemonState::disconnected;
  std::uint16_t control_word = 0;  // written this cycle (when `written`)
};

class ControllerRig {
 public:
  static constexpr double kWatchdogMs = 500.0;  // as config/devices/sim-*.json arm it
  static constexpr int kMaxFailures = 5;        // the Modbus driver's default

  ControllerRig(DeviceKind kind, const EffectiveLimits& limits, std::uint64_t seed = 1,
                ControllerOptions options = {})
      : kind_(kind), limits_(limits), options_(options), device_(sim_model(kind), seed) {
    controller_.emplace(kind, limits, options);
    step();  // first reading: disconnected -> idle
  }

  // The daemon restarts: a new controller (and a new driver, whose first controlword is
  // shutdown) meets the device where the old one left it.
  void restart_controller() {
    controller_.emplace(kind_, limits_, options_);
    control_word_ = cia402::kShutdown;
  }

  Clock::time_point now() const { return tick().now; }
  Tick tick() const { return sim_tick(device_.time_s() + 1000.0); }
  double time() const { return device_.time_s(); }
  sim::SimDevice& device() { return device_; }
  SessionController& controller() { return *controller_; }
  DaemonState state() const { return controller_->state(); }
  // A session is starting, running or paused.
  bool in_session() const {
    const DaemonState s = state();
    return s == DaemonState::starting || s == DaemonState::running || s == DaemonState::paused;
  }
  const std::vector<CycleRecord>& trace() const { return trace_; }
  const std::vector<Event>& events() const { return events_; }
  // Simulated time at which events()[i] was published.
  double event_time(std::size_t i) const { return event_times_.at(i); }
  void clear_trace() { trace_.clear(); }

  // Sends a command as the server would and returns the reply.
  CommandReply command(CommandKind kind, std::shared_ptr<const Plan> plan = nullptr) {
    CommandReply reply = send_command(*controller_, kind, std::move(plan), tick());
    collect_events();
    return reply;
  }

  // An estop between two cycles, as the control loop acts on it: handled, then the controller's
  // prompt written at once (from the last reading, nothing advanced). Returns what was written.
  CycleOutput estop_at_once() {
    command(CommandKind::estop);
    const CycleOutput out = controller_->prompt(tick());
    if (out.write && reading_.available) write(out.command);
    collect_events();
    return out;
  }

  // Reads fail from now for `seconds`; each failed cycle lasts `cycle_s` (a response timeout, or
  // one period for a link that fails at once). No request reaches the drive meanwhile.
  // The device file's scale of the axis reading is off by `factor` (a wrong map: 10 for a
  // position in 0.01° read as 0.001°, -1 for a wrong sign). The target is written right.
  void set_reading_scale(double factor) { reading_scale_ = factor; }

  void link_down(double seconds, double cycle_s) {
    link_down_until_ = time() + seconds;
    failed_cycle_s_ = cycle_s;
  }

  // One control period. While the controller keeps the link silent (the self-test's watchdog
  // step) nothing is read or written, as in the control loop.
  void step() {
    const Clock::time_point t = now();
    if (controller_->link_silent(t)) {
      collect_events();
      next_tick_ += options_.period_s;
      device_.advance(std::max(0.0, next_tick_ - time()));
      return;
    }
    const bool link_ok = time() >= link_down_until_;
    read(t, link_ok);
    const CycleOutput out = controller_->cycle(tick(), reading_);
    const bool written = link_ok && out.write && reading_.available;
    if (written) write(out.command);
    collect_events();
    // Published as the control loop publishes it: filled in place each cycle.
    controller_->fill_snapshot(t, snapshot_);
    trace_.push_back(CycleRecord{t_s(t), snapshot_.setpoint,
                                 reading_.drive == cia402::State::operation_enabled, written,
                                 device_.axis(), reading_.actual, controller_->state(),
                                 written ? control_word_ : std::uint16_t{0}});
    next_tick_ += options_.period_s;
    if (!link_ok) next_tick_ = std::max(next_tick_, time() + failed_cycle_s_);
    device_.advance(std::max(0.0, next_tick_ - time()));
  }

  // Steps until `done()` holds or `seconds` of simulated time pass; true when it held.
  template <class F>
  bool run_until(F&& done, double seconds) {
    const double until = time() + seconds;
    while (time() < until) {
      if (done()) return true;
      step();
    }
    return done();
  }
  void run_for(double seconds) {
    run_until([] { return false; }, seconds);
  }

  // Ground truth: the axis is home (within `band`) and the drive is not moving it. A bench's home
  // is its floor force; a slack bench below it is as safe.
  bool at_home_and_at_rest(double home, double band) {
    const double from_home = device_.axis() - home;
    const bool home_reached =
        device_.kind() == DeviceKind::traction ? from_home <= band : std::abs(from_home) <= band;
    return home_reached && std::abs(device_.axis_velocity()) < 0.05 * band + 1e-3;
  }

  // The last session's outcome from the session_ended events ("" when none ended).
  std::string last_outcome() const {
    for (auto it = events_.rbegin(); it != events_.rend(); ++it) {
      if (it->kind == EventKind::session_ended) return to_string(it->outcome);
    }
    return "";
  }
  // The rule of the first fault event ("" when none).
  std::string first_fault_rule() const {
    for (const Event& e : events_) {
      if (e.kind == EventKind::fault || e.kind == EventKind::stop_switch) return e.rule;
    }
    return "";
  }

 private:
  static sim::DeviceModel sim_model(DeviceKind kind) {
    auto model = sim::load_device_model(sim::default_model_file(kind), kind);
    EXPECT_TRUE(model.ok()) << model.status().message();
    return model.ok() ? *model : sim::DeviceModel{};
  }
  double t_s(Clock::time_point t) const {
    return std::chrono::duration<double>(t - Clock::time_point{}).count() - 1000.0;
  }

  // What the Modbus driver decodes from the register image (drivers/modbus/modbus_driver.cpp).
  void read(Clock::time_point t, bool link_ok) {
    if (!link_ok) {
      reading_.fresh = false;
      ++failures_;
    } else {
      failures_ = 0;
      reached_ = true;
      const sim::Drive& drive = device_.drive();
      reading_.stamp = t;
      reading_.fresh = true;
      reading_.status_word = drive.status_word();
      reading_.drive = cia402::decode_status(reading_.status_word);
      reading_.actual = device_.reported().axis * reading_scale_;
      reading_.velocity = device_.reported().velocity;
      reading_.force_n = device_.reported().force_n;
      reading_.fault_code = drive.fault_code();
      reading_.stop_pressed = device_.stop_pressed();
      reading_.stop_connected = device_.stop_connected();
      reading_.end_stop_low = device_.end_stop_low();
      reading_.end_stop_high = device_.end_stop_high();
      device_.drive().note_valid_request();
    }
    reading_.consecutive_failures = failures_;
    reading_.available = reached_ && failures_ < kMaxFailures;
  }

  // What the Modbus driver writes (drivers/modbus/modbus_driver.cpp): the controlword that walks
  // the drive one transition toward the goal, from the state it last read, arming the watchdog
  // when a walk to operation enabled begins; then the target.
  void write(const AxisCommand& command) {
    sim::Drive& drive = device_.drive();
    const std::uint16_t cw = cia402::next_control_word(reading_.drive, command.goal, control_word_);
    // The driver arms once per walk, from switch_on_disabled or from above it: here at each
    // step of a walk, which the drive reads back the same.
    if (command.goal == cia402::Goal::enabled &&
        reading_.drive != cia402::State::operation_enabled && !cia402::faulted(reading_.drive))
      drive.write_watchdog_timeout_ms(static_cast<std::uint16_t>(kWatchdogMs));
    drive.write_control_word(cw);
    drive.write_target(command.target);
    drive.note_valid_request();
    control_word_ = cw;
  }

  void collect_events() {
    for (Event& e : controller_->take_events()) {
      events_.push_back(std::move(e));
      event_times_.push_back(time());
    }
  }

  DeviceKind kind_;
  EffectiveLimits limits_;
  ControllerOptions options_;
  sim::SimDevice device_;
  std::optional<SessionController> controller_;
  DeviceState reading_;
  std::uint16_t control_word_ = cia402::kShutdown;
  std::uint32_t failures_ = 0;
  bool reached_ = false;
  double link_down_until_ = -1.0;
  double reading_scale_ = 1.0;
  double failed_cycle_s_ = 0.01;
  double next_tick_ = 0.0;
  StatusSnapshot snapshot_;
  std::vector<CycleRecord> trace_;
  std::vector<Event> events_;
  std::vector<double> event_times_;
};

}  // namespace traction::engine_test
