// SPDX-License-Identifier: Apache-2.0
#include "core/config_reader.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "core/text_match.hpp"

namespace traction {
namespace {

std::string show(const nlohmann::json& value) {
  std::string text = value.dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

}  // namespace

ObjectReader::ObjectReader(const nlohmann::json& object, std::string source, std::string path)
    : object_(object), source_(std::move(source)), path_(std::move(path)) {
  if (!object_.is_object()) {
    throw ConfigError(source_ + ": at " + (path_.empty() ? "/" : path_) +
                      ": expected an object, got " + show(object_));
  }
}

void ObjectReader::fail(const std::string& key, const std::string& rule) const {
  throw ConfigError(source_ + ": at " + path_of(key) + ": " + rule);
}

bool ObjectReader::has(const std::string& key) const {
  return object_.contains(key);
}

const nlohmann::json& ObjectReader::require(const std::string& key) {
  read_.insert(key);
  if (!object_.contains(key)) fail(key, "is required but missing");
  return object_.at(key);
}

double ObjectReader::number(const std::string& key, double min, double max) {
  const auto& value = require(key);
  if (!value.is_number()) fail(key, "value " + show(value) + " must be a number");
  const double x = value.get<double>();
  if (!std::isfinite(x)) fail(key, "value must be finite");
  if (x < min || x > max) {
    std::ostringstream rule;
    rule << "value " << x << " is outside the allowed range [" << min << ", " << max << "]";
    fail(key, rule.str());
  }
  return x;
}

double ObjectReader::number_or(const std::string& key, double fallback, double min, double max) {
  return has(key) ? number(key, min, max) : (read_.insert(key), fallback);
}

// Optional getters record an absent key as known too, so that a misspelt optional key still gets
// its "did you mean" hint from finish().
std::optional<double> ObjectReader::optional_number(const std::string& key, double min,
                                                    double max) {
  if (!has(key)) return read_.insert(key), std::nullopt;
  return number(key, min, max);
}

long long ObjectReader::integer(const std::string& key, long long min, long long max) {
  const auto& value = require(key);
  if (!value.is_number_integer()) fail(key, "value " + show(value) + " must be an integer");
  const long long x = value.get<long long>();
  if (x < min || x > max) {
    fail(key, "value " + std::to_string(x) + " is outside the allowed range [" +
                  std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return x;
}

long long ObjectReader::integer_or(const std::string& key, long long fallback, long long min,
                                   long long max) {
  return has(key) ? integer(key, min, max) : (read_.insert(key), fallback);
}

bool ObjectReader::boolean_or(const std::string& key, bool fallback) {
  if (!has(key)) return read_.insert(key), fallback;
  const auto& value = require(key);
  if (!value.is_boolean()) fail(key, "value " + show(value) + " must be true or false");
  return value.get<bool>();
}

std::string ObjectReader::string(const std::string& key) {
  const auto& value = require(key);
  if (!value.is_string()) fail(key, "value " + show(value) + " must be a string");
  return value.get<std::string>();
}

std::string ObjectReader::string_or(const std::string& key, const std::string& fallback) {
  return has(key) ? string(key) : (read_.insert(key), fallback);
}

std::string ObjectReader::choice(const std::string& key, const std::vector<std::string>& allowed) {
  std::string value = string(key);
  for (const auto& a : allowed) {
    if (a == value) return value;
  }
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  std::string hint = closest_match(value, allowed);
  fail(key, "value \"" + value + "\" is not one of: " + list +
                (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
}

std::string ObjectReader::choice_or(const std::string& key, const std::string& fallback,
                                    const std::vector<std::string>& allowed) {
  return has(key) ? choice(key, allowed) : fallback;
}

std::vector<std::string> ObjectReader::string_list_or(const std::string& key,
                                                      const std::vector<std::string>& allowed) {
  std::vector<std::string> out;
  if (!has(key)) return read_.insert(key), out;
  const auto& value = require(key);
  if (!value.is_array()) fail(key, "value " + show(value) + " must be an array of strings");
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string item_path = key + "/" + std::to_string(i);
    if (!value[i].is_string()) fail(item_path, "value " + show(value[i]) + " must be a string");
    std::string item = value[i].get<std::string>();
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), item) == allowed.end()) {
      std::string hint = closest_match(item, allowed);
      fail(item_path, "\"" + item + "\" is not a known value" +
                          (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
    }
    out.push_back(std::move(item));
  }
  return out;
}

ObjectReader ObjectReader::object(const std::string& key) {
  return ObjectReader(require(key), source_, path_of(key));
}

std::optional<ObjectReader> ObjectReader::optional_object(const std::string& key) {
  if (!has(key)) return read_.insert(key), std::nullopt;
  return object(key);
}

const nlohmann::json& ObjectReader::raw(const std::string& key) {
  return require(key);
}

const nlohmann::json* ObjectReader::optional_raw(const std::string& key) {
  if (!has(key)) return read_.insert(key), nullptr;
  return &require(key);
}

// Every object may carry a "$comment" string that explains it (the shipped files and templates
// do); it is the one key that needs no getter.
constexpr const char* kCommentKey = "$comment";

std::vector<std::string> ObjectReader::keys() const {
  std::vector<std::string> out;
  for (const auto& item : object_.items()) {
    if (item.key() != kCommentKey) out.push_back(item.key());
  }
  return out;
}

void ObjectReader::finish() const {
  std::vector<std::string> known(read_.begin(), read_.end());
  for (const auto& item : object_.items()) {
    if (read_.count(item.key()) != 0) continue;
    if (item.key() == kCommentKey) {
      if (!item.value().is_string()) fail(kCommentKey, "must be a string (an explanation)");
      continue;
    }
    std::string hint = closest_match(item.key(), known);
    throw ConfigError(source_ + ": at " + path_of(item.key()) + ": unknown key \"" + item.key() +
                      "\"" + (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
  }
}

nlohmann::json load_json_file(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw ConfigError(file + ": cannot open for reading");
  std::stringstream buffer;
  buffer << in.rdbuf();
  try {
    return nlohmann::json::parse(buffer.str());
  } catch (const nlohmann::json::parse_error& e) {
    throw ConfigError(file + ": not valid JSON: " + e.what());
  }
}

}  // namespace traction
