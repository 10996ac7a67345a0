// SPDX-License-Identifier: Apache-2.0
// printf into a std::string, with the compiler checking the format against the arguments. For
// human text built off the steady control path (events, self-test results).
#pragma once

#include <string>

namespace traction {

std::string printed(const char* format, ...) __attribute__((format(printf, 1, 2)));

}  // namespace traction
