// SPDX-License-Identifier: Apache-2.0
// "Did you mean" suggestions for misspelt keys and names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace traction {

// Levenshtein distance between two strings.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, or "" when none is close enough to be a plausible typo.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace traction
