// SPDX-License-Identifier: Apache-2.0
// A session as a picture: target and actual over time, phases shaded and named, events marked,
// with the summary in the title. Pure: a history.get result (with samples) in, SVG text out.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace traction::ctl {

// `session` is history.get's result with "samples". Sessions without samples still get a chart
// (empty axes) that says so.
std::string session_svg(const nlohmann::json& session);

}  // namespace traction::ctl
