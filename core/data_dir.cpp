// SPDX-License-Identifier: Apache-2.0
#include "core/data_dir.hpp"

#include <filesystem>
#include <system_error>

namespace traction {

std::string shipped_data_path(const std::string& relative) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    // <prefix>/bin/traction-sim → <prefix>/share/tractiond/<relative>
    const fs::path installed = exe.parent_path().parent_path() / "share" / "tractiond" / relative;
    if (fs::exists(installed, ec)) return installed.string();
  }
  return std::string(TRACTION_SOURCE_DIR) + "/config/" + relative;
}

}  // namespace traction
