// SPDX-License-Identifier: Apache-2.0
// Columns of text aligned for a terminal: each column as wide as its widest cell, counted in
// characters (UTF-8), so "15°" takes three columns, not four bytes.
#pragma once

#include <string>
#include <vector>

namespace traction::client {

using TableRow = std::vector<std::string>;

// Characters in UTF-8 text (continuation bytes are not counted).
std::size_t display_width(const std::string& text);

// The rows, each on a line starting with `indent`, cells separated by two spaces; the last column
// is not padded, and trailing spaces are trimmed.
std::string render_table(const std::vector<TableRow>& rows, const std::string& indent);

}  // namespace traction::client
