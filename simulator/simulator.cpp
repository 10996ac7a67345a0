// SPDX-License-Identifier: Apache-2.0
#include "simulator/simulator.hpp"

#include "core/data_dir.hpp"
#include "drivers/device_file.hpp"
#include "simulator/control/commands.hpp"
#include "simulator/control/control_socket.hpp"
#include "simulator/control/scenario.hpp"
#include "simulator/control/trace_writer.hpp"
#include "simulator/modbus/modbus_server.hpp"
#include "simulator/modbus/register_bank.hpp"
#include "simulator/modbus/request_handler.hpp"
#include "simulator/physics/sim_device.hpp"

namespace traction::sim {

namespace {
using SteadyClock = std::chrono::steady_clock;
// The physics thread's period: the watchdog and the trace need time to pass without requests.
constexpr auto kTick = std::chrono::milliseconds(5);
// Trace rows reach the file at least this often.
constexpr double kTraceFlush_s = 0.1;

std::string default_map_file(DeviceKind kind) {
  return shipped_data_path("devices/sim-" + std::string(to_string(kind)) + ".json");
}
}  // namespace

struct Simulator::Impl : RequestSink {
  Impl(const SimOptions& o, const DeviceModel& model, const RegisterMap& map)
      : options(o), device(model, o.seed), bank(map), handler(bank, device, comm) {}

  // Advances the device to the steady clock's now, firing scenario events and trace rows at
  // their exact simulated times. Caller holds `mutex`.
  void sync_locked() {
    const double now_s = std::chrono::duration<double>(SteadyClock::now() - started).count();
    for (;;) {
      fire_due_locked();
      double next = now_s;
      if (auto event = scenario ? scenario->next_time() : std::nullopt)
        next = std::min(next, *event);
      if (trace) next = std::min(next, next_trace_s);
      if (next <= device.time_s() + 1e-9) {
        if (trace && next_trace_s <= device.time_s() + 1e-9) continue;
        break;
      }
      device.advance(next - device.time_s());
    }
    if (trace && device.time_s() - last_flush_s >= kTraceFlush_s) {
      trace->flush();
      last_flush_s = device.time_s();
    }
  }

  void fire_due_locked() {
    while (scenario) {
      std::optional<Command> command = scenario->take_due(device.time_s());
      if (!command) break;
      CommandTarget target{device, comm, handler.requests_served()};
      execute_command(*command, target);
    }
    if (trace && next_trace_s <= device.time_s() + 1e-9) {
      trace->write_row(device);
      next_trace_s += TraceWriter::kPeriod_s;
    }
  }

  std::optional<Reply> on_request(modbus_t* ctx, Transport transport, const std::uint8_t* request,
                                  int length) override {
    std::lock_guard lock(mutex);
    sync_locked();
    return handler.handle(ctx, transport, request, length);
  }

  nlohmann::json control(const nlohmann::json& line) {
    std::lock_guard lock(mutex);
    if (running) sync_locked();
    CommandTarget target{device, comm, handler.requests_served()};
    return run_command_json(line, target);
  }

  void physics_loop() {
    std::unique_lock lock(mutex);
    auto next = SteadyClock::now();
    while (!stopping) {
      next += kTick;
      wake.wait_until(lock, next, [this] { return stopping; });
      if (stopping) break;
      sync_locked();
    }
  }

  SimOptions options;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  bool running = false;
  SteadyClock::time_point started{};
  SimDevice device;
  CommFaults comm;
  RegisterBank bank;
  RequestHandler handler;
  std::optional<Scenario> scenario;
  std::unique_ptr<TraceWriter> trace;
  double next_trace_s = 0.0;
  double last_flush_s = 0.0;
  std::unique_ptr<ModbusServer> server;
  std::unique_ptr<ControlSocket> control_socket;
  std::thread physics;
};

Simulator::Simulator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Simulator::~Simulator() {
  stop();
}

Result<std::unique_ptr<Simulator>> Simulator::create(const SimOptions& options) {
  const std::string model_file =
      options.model_file.empty() ? default_model_file(options.kind) : options.model_file;
  const std::string map_file =
      options.map_file.empty() ? default_map_file(options.kind) : options.map_file;
  Result<DeviceModel> model = load_device_model(model_file, options.kind);
  if (!model) return model.status();
  if (options.drive_reaction) model->drive_reaction = *options.drive_reaction;
  Result<DeviceFile> device_file = load_device_file(map_file);
  if (!device_file) return device_file.status();
  if (device_file->kind != options.kind) {
    return Status(Errc::config, map_file + ": at /kind: the register map is for a " +
                                    to_string(device_file->kind) + ", the simulator runs a " +
                                    to_string(options.kind));
  }
  auto impl = std::make_unique<Impl>(options, *model, device_file->registers);
  if (!options.scenario_file.empty()) {
    Result<Scenario> scenario = Scenario::load(options.scenario_file);
    if (!scenario) return scenario.status();
    impl->scenario = std::move(*scenario);
  }
  if (!options.trace_file.empty()) {
    Result<std::unique_ptr<TraceWriter>> trace = TraceWriter::open(options.trace_file);
    if (!trace) return trace.status();
    impl->trace = std::move(*trace);
  }
  return std::unique_ptr<Simulator>(new Simulator(std::move(impl)));
}

Status Simulator::start() {
  Impl& s = *impl_;
  if (s.running) return {};
  ServerEndpoints endpoints{s.options.listen_host, s.options.listen_port, s.options.rtu_device,
                            s.options.rtu_fd,      s.options.baud,        s.options.parity,
                            s.options.unit};
  Result<std::unique_ptr<ModbusServer>> server = ModbusServer::open(endpoints, s);
  if (!server) return server.status();
  s.server = std::move(*server);
  if (!s.options.control_socket.empty()) {
    auto control =
        ControlSocket::open(s.options.control_socket,
                            [this](const nlohmann::json& line) { return impl_->control(line); });
    if (!control) return control.status();
    s.control_socket = std::move(*control);
  }
  {
    std::lock_guard lock(s.mutex);
    s.started = SteadyClock::now();
    s.running = true;
    s.stopping = false;
    s.sync_locked();
  }
  s.physics = std::thread([&s] { s.physics_loop(); });
  s.server->start();
  if (s.control_socket) s.control_socket->start();
  return {};
}

void Simulator::stop() {
  Impl& s = *impl_;
  if (s.control_socket) s.control_socket->stop();
  if (s.server) s.server->stop();
  {
    std::lock_guard lock(s.mutex);
    s.stopping = true;
  }
  s.wake.notify_all();
  if (s.physics.joinable()) s.physics.join();
  std::lock_guard lock(s.mutex);
  if (s.trace) s.trace->flush();
  s.control_socket.reset();
  s.running = false;
}

int Simulator::tcp_port() const {
  return impl_->server ? impl_->server->tcp_port() : 0;
}

nlohmann::json Simulator::control(const nlohmann::json& command) {
  return impl_->control(command);
}

}  // namespace traction::sim
