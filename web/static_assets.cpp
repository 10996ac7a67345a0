// SPDX-License-Identifier: Apache-2.0
#include "web/static_assets.hpp"

#include <fstream>
#include <functional>
#include <sstream>

namespace traction::web {
namespace {

std::string content_type_of(const std::string& file) {
  const auto ends_with = [&](std::string_view suffix) {
    return file.size() >= suffix.size() &&
           file.compare(file.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with(".html")) return "text/html; charset=utf-8";
  if (ends_with(".css")) return "text/css; charset=utf-8";
  if (ends_with(".js")) return "text/javascript; charset=utf-8";
  if (ends_with(".svg")) return "image/svg+xml";
  if (ends_with(".json") || ends_with(".webmanifest")) return "application/manifest+json";
  return "application/octet-stream";
}

}  // namespace

const std::map<std::string, std::string>& panel_files() {
  static const std::map<std::string, std::string> files{
      {"/", "index.html"},
      {"/panel.css", "panel.css"},
      {"/icon.svg", "icon.svg"},
      {"/manifest.webmanifest", "manifest.webmanifest"},
      {"/js/panel.js", "js/panel.js"},
      {"/js/rpc.js", "js/rpc.js"},
      {"/js/stop.js", "js/stop.js"},
      {"/js/words.js", "js/words.js"},
      {"/js/plot.js", "js/plot.js"},
      {"/js/session_view.js", "js/session_view.js"},
      {"/js/history_view.js", "js/history_view.js"},
      {"/js/login.js", "js/login.js"},
      {"/lib/chart.min.js", ""},
  };
  return files;
}

Result<StaticAssets> StaticAssets::load(const std::string& panel_dir, const std::string& chart_js) {
  StaticAssets out;
  for (const auto& [url, relative] : panel_files()) {
    const std::string file = relative.empty() ? chart_js : panel_dir + "/" + relative;
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      return Result<StaticAssets>(
          Errc::config, file + ": cannot be read" +
                            (relative.empty() ? " (install Debian's libjs-chart.js)" : ""));
    }
    std::stringstream body;
    body << in.rdbuf();
    Asset asset{content_type_of(file), body.str(), ""};
    asset.etag = "\"" + std::to_string(std::hash<std::string>{}(asset.body)) + "\"";
    out.assets_.emplace(url, std::move(asset));
  }
  return out;
}

const Asset* StaticAssets::find(std::string_view path) const {
  if (path == "/index.html") path = "/";
  const auto it = assets_.find(path);
  return it == assets_.end() ? nullptr : &it->second;
}

}  // namespace traction::web
