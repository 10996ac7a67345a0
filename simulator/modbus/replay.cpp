// SPDX-License-Identifier: Apache-2.0
#include "simulator/modbus/replay.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include "drivers/device_file.hpp"
#include "simulator/modbus/register_bank.hpp"
#include "simulator/modbus/request_handler.hpp"

namespace traction::sim {

namespace {

// Loaded once: parsing JSON per input would drown the fuzzer in config code.
struct Loaded {
  DeviceModel model;
  RegisterMap map;
  bool ok = false;
};

const Loaded& loaded(DeviceKind kind) {
  static const Loaded table = [] {
    Loaded l;
    auto model =
        load_device_model(default_model_file(DeviceKind::inversion), DeviceKind::inversion);
    auto file =
        load_device_file(std::string(TRACTION_SOURCE_DIR) + "/config/devices/sim-inversion.json");
    l.ok = model.ok() && file.ok();
    if (l.ok) l = {*model, file->registers, true};
    return l;
  }();
  static const Loaded bench = [] {
    Loaded l;
    auto model = load_device_model(default_model_file(DeviceKind::traction), DeviceKind::traction);
    auto file =
        load_device_file(std::string(TRACTION_SOURCE_DIR) + "/config/devices/sim-traction.json");
    l.ok = model.ok() && file.ok();
    if (l.ok) l = {*model, file->registers, true};
    return l;
  }();
  return kind == DeviceKind::inversion ? table : bench;
}

// Large enough for a few hundred frames; bigger inputs add nothing but time.
constexpr std::size_t kMaxStream = 4096;
constexpr int kMaxRequests = 256;

}  // namespace

int replay_request_bytes(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size - 1 > kMaxStream) return 0;
  const std::uint8_t setup = data[0];
  const bool rtu = (setup & 1) != 0;
  const Loaded& l = loaded((setup & 2) != 0 ? DeviceKind::traction : DeviceKind::inversion);
  if (!l.ok) return 0;

  SimDevice device(l.model, 1);
  RegisterBank bank(l.map);
  CommFaults faults;
  if ((setup & 4) != 0) faults.exceptions(6, 1);
  if ((setup & 8) != 0) faults.corrupt_crc(1);
  RequestHandler handler(bank, device, faults);

  int wire[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, wire) != 0) return 0;
  // The whole stream, then end-of-file: libmodbus never waits for bytes that will not come.
  if (size > 1 && write(wire[1], data + 1, size - 1) != static_cast<ssize_t>(size - 1)) {
    close(wire[0]);
    close(wire[1]);
    return 0;
  }
  shutdown(wire[1], SHUT_WR);

  modbus_t* ctx =
      rtu ? modbus_new_rtu("/dev/null", 19200, 'N', 8, 1) : modbus_new_tcp("127.0.0.1", 1502);
  int answered = 0;
  if (ctx != nullptr) {
    modbus_set_slave(ctx, 1);
    prepare_server_context(ctx);
    modbus_set_socket(ctx, wire[0]);
    for (int i = 0; i < kMaxRequests; ++i) {
      std::uint8_t request[MODBUS_MAX_ADU_LENGTH];
      const int length = modbus_receive(ctx, request);
      if (length < 0) break;
      if (length == 0) continue;
      if (handler.handle(ctx, rtu ? Transport::rtu : Transport::tcp, request, length)) ++answered;
      device.advance(0.01);
    }
    modbus_free(ctx);
  }
  close(wire[0]);
  close(wire[1]);
  return answered;
}

}  // namespace traction::sim
