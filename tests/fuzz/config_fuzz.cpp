// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for configuration parsing: the bytes are a daemon config file (relative paths
// resolve as from config/examples/, into the repository's devices and programs) and, parsed as
// JSON, a device file. Invariants: no exception escapes, each loader answers a value or an error
// with a message, and an accepted config has a device URI and a control rate in range.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "daemon/daemon_config.hpp"
#include "drivers/device_file.hpp"

namespace {

// A scratch tree shaped like config/: examples/ for the file, devices/ and programs/ linked to the
// repository's, so that the examples' relative paths resolve. Removed at exit.
class ScratchTree {
 public:
  ScratchTree() {
    char tmpl[] = "/tmp/traction-config-fuzz.XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    std::filesystem::create_directory(dir_ + "/examples");
    for (const char* sub : {"devices", "programs"}) {
      std::filesystem::create_directory_symlink(std::string(TRACTION_SOURCE_DIR) + "/config/" + sub,
                                                dir_ + "/" + sub);
    }
  }
  ~ScratchTree() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string file() const { return dir_ + "/examples/tractiond.json"; }

 private:
  std::string dir_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace traction;
  static const ScratchTree tree;
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::ofstream(tree.file(), std::ios::trunc | std::ios::binary) << text;
  const Result<DaemonConfig> config = load_daemon_config(tree.file(), ConfigOverrides{});
  if (config.ok()) {
    if (config->device_uri.empty() || config->rate_hz < 10.0 || config->rate_hz > 1000.0)
      std::abort();
  } else if (config.status().message().empty()) {
    std::abort();
  }
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_discarded()) {
    const Result<DeviceFile> device = parse_device_file(json, "fuzz");
    if (!device.ok() && device.status().message().empty()) std::abort();
  }
  return 0;
}
