// SPDX-License-Identifier: Apache-2.0
// Where the shipped data lives (device files, built-in programs, simulator models): beside an
// installed binary, in <prefix>/share/tractiond/, else in the source tree the binary was built
// from (config/). Defaults only: every such file can also be named on the command line.
#pragma once

#include <string>

namespace traction {

// `relative` is the path below the data directory, e.g. "devices/sim-inversion.json".
std::string shipped_data_path(const std::string& relative);

}  // namespace traction
