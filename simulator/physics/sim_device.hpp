// SPDX-License-Identifier: Apache-2.0
// One simulated device: drive + mechanics + person + sensor faults, stepped by an explicit dt.
// Pure: no I/O and no clock, so tests run it thousands of times faster than real time. The
// Modbus layer (simulator/modbus) and the control commands act on it through this class only.
#pragma once

#include <cstdint>
#include <memory>

#include "simulator/physics/drive.hpp"
#include "simulator/physics/model.hpp"
#include "simulator/physics/plant.hpp"
#include "simulator/physics/sensor_faults.hpp"

namespace traction::sim {

// Identity registers: vendor, product (1 = table, 2 = bench), firmware 1.0.
inline constexpr std::uint16_t kVendorId = 0x7AC7;
inline constexpr std::uint16_t kFirmwareVersion = 0x0100;
inline std::uint16_t product_code(DeviceKind kind) {
  return kind == DeviceKind::inversion ? 1 : 2;
}

// Ground-truth extremes since start or reset_peaks().
struct Peaks {
  double axis = 0.0;      // highest angle (deg) or force (N)
  double velocity = 0.0;  // largest |rate|
  double accel = 0.0;     // largest |rate of rate|
};

class SimDevice {
 public:
  // Largest physics step; advance() sub-steps longer intervals.
  static constexpr double kStep_s = 0.001;

  SimDevice(const DeviceModel& model, std::uint64_t seed);

  // Advances simulated time by dt_s (any length >= 0) in steps of at most kStep_s.
  void advance(double dt_s);
  double time_s() const { return time_s_; }

  Drive& drive() { return drive_; }
  const Drive& drive() const { return drive_; }
  const DeviceModel& model() const { return model_; }
  DeviceKind kind() const { return model_.kind; }

  // Ground truth.
  double axis() const { return plant_->axis(); }
  double axis_velocity() const { return plant_->axis_velocity(); }
  double force_n() const { return plant_->force_n(); }
  double rope_position_mm() const { return plant_->rope_position_mm(); }
  const Peaks& peaks() const { return peaks_; }
  void reset_peaks();

  // What the master reads (sensor faults applied).
  const Reading& reported() const { return reported_; }
  bool end_stop_low() const;
  bool end_stop_high() const;

  // Patient stop switch and power.
  void press_stop() { set_stop(true, stop_connected_); }
  void release_stop() { set_stop(false, stop_connected_); }
  void unplug_stop_switch() { set_stop(stop_pressed_, false); }
  void plug_stop_switch() { set_stop(stop_pressed_, true); }
  bool stop_pressed() const { return stop_pressed_; }
  bool stop_connected() const { return stop_connected_; }
  // A dead stop switch (wired = false): the master still reads it (pressed, unplugged), but its
  // line to the drive is cut, so the drive neither stops nor warns.
  void set_stop_switch_wired(bool wired);
  bool stop_switch_wired() const { return stop_wired_; }
  // The drive loses power for `seconds`; then it powers up switch_on_disabled, watchdog disarmed.
  void power_loss(double seconds);
  bool powered() const { return drive_.powered(); }

  SensorFaults& sensors() { return sensors_; }

 private:
  void step(double dt_s);
  void set_stop(bool pressed, bool connected);

  DeviceModel model_;
  std::unique_ptr<Plant> plant_;
  Drive drive_;
  SensorFaults sensors_;
  Reading reported_;
  Peaks peaks_;
  double time_s_ = 0.0;
  double power_off_s_ = 0.0;
  bool stop_pressed_ = false;
  bool stop_connected_ = true;
  bool stop_wired_ = true;
};

// The drive limits implied by a model.
DriveLimits drive_limits(const DeviceModel& model);

}  // namespace traction::sim
