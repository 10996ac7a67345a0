// SPDX-License-Identifier: Apache-2.0
#include "simulator/control/trace_writer.hpp"

#include <cerrno>
#include <cstring>

namespace traction::sim {

Result<std::unique_ptr<TraceWriter>> TraceWriter::open(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "we");
  if (file == nullptr)
    return Status(Errc::link, "trace file " + path + ": " + std::strerror(errno));
  std::fputs(
      "t,target,actual,velocity,force_n,drive,stop_pressed,stop_connected,fault_code,control_word,"
      "status_word,brake\n",
      file);
  return std::unique_ptr<TraceWriter>(new TraceWriter(file));
}

TraceWriter::~TraceWriter() {
  std::fclose(file_);
}

void TraceWriter::write_row(const SimDevice& device) {
  const Drive& drive = device.drive();
  std::fprintf(file_, "%.3f,%.4f,%.4f,%.4f,%.3f,%s,%d,%d,%u,%u,%u,%d\n", device.time_s(),
               drive.target(), device.axis(), device.axis_velocity(), device.force_n(),
               cia402::to_string(drive.state()), device.stop_pressed() ? 1 : 0,
               device.stop_connected() ? 1 : 0, static_cast<unsigned>(drive.fault_code()),
               static_cast<unsigned>(drive.control_word()),
               static_cast<unsigned>(drive.status_word()), drive.brake_engaged() ? 1 : 0);
}

void TraceWriter::flush() {
  std::fflush(file_);
}

}  // namespace traction::sim
