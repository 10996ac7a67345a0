// SPDX-License-Identifier: Apache-2.0
// The panel's files, read into memory once at start: a fixed list of URL paths, each mapped to one
// file (no directory is served, so no path can reach outside it). Chart.js is served from the
// path Debian's libjs-chart.js installs it to.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace traction::web {

struct Asset {
  std::string content_type;
  std::string body;
  std::string etag;  // a hash of the body, quoted
};

class StaticAssets {
 public:
  // Reads the panel's files from `panel_dir` and Chart.js from `chart_js`. Errc::config naming
  // the missing file.
  static Result<StaticAssets> load(const std::string& panel_dir, const std::string& chart_js);

  // The asset of a URL path ("/" is the page), or nullptr.
  const Asset* find(std::string_view path) const;

 private:
  std::map<std::string, Asset, std::less<>> assets_;
};

// The URL paths the panel serves and the file each comes from, relative to the panel directory
// ("" for Chart.js). Public for the tests and the install rules' check.
const std::map<std::string, std::string>& panel_files();

}  // namespace traction::web
