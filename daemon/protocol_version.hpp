// SPDX-License-Identifier: Apache-2.0
// The control socket protocol's version, the one definition: daemon.info's `protocol_version` and
// `protocol.version`, and rpc.describe's `protocol_version`. A string, "MAJOR.MINOR"; the major
// number changes on an incompatible change.
#pragma once

namespace traction {

inline constexpr const char* kProtocolVersion = "1.0";

}  // namespace traction
