// SPDX-License-Identifier: Apache-2.0
// Strict, typed reading of JSON configuration (Klipper's habit): every value is read through a
// getter with its bounds, and keys that no getter read are rejected with a "did you mean" hint.
// Every error names the file, the JSON path, the value and the rule it broke.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace traction {

// Thrown inside configuration parsing; converted to a Status at module boundaries.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads one JSON object. Call finish() once every known key has been read.
class ObjectReader {
 public:
  // `source` names the file (or "request"); `path` is the JSON pointer of this object ("" for
  // root).
  ObjectReader(const nlohmann::json& object, std::string source, std::string path = "");

  bool has(const std::string& key) const;
  double number(const std::string& key, double min, double max);
  double number_or(const std::string& key, double fallback, double min, double max);
  std::optional<double> optional_number(const std::string& key, double min, double max);
  long long integer(const std::string& key, long long min, long long max);
  long long integer_or(const std::string& key, long long fallback, long long min, long long max);
  bool boolean_or(const std::string& key, bool fallback);
  std::string string(const std::string& key);
  std::string string_or(const std::string& key, const std::string& fallback);
  // A string that must be one of `allowed`.
  std::string choice(const std::string& key, const std::vector<std::string>& allowed);
  std::string choice_or(const std::string& key, const std::string& fallback,
                        const std::vector<std::string>& allowed);
  std::vector<std::string> string_list_or(const std::string& key,
                                          const std::vector<std::string>& allowed = {});
  ObjectReader object(const std::string& key);
  std::optional<ObjectReader> optional_object(const std::string& key);
  // The raw JSON of a key (marks it read); for arrays of objects.
  const nlohmann::json& raw(const std::string& key);
  const nlohmann::json* optional_raw(const std::string& key);

  // Rejects every key that was not read.
  void finish() const;
  // The object's keys, for a map of names to values, without its "$comment" (finish() checks it).
  std::vector<std::string> keys() const;

  [[noreturn]] void fail(const std::string& key, const std::string& rule) const;
  std::string path_of(const std::string& key) const { return path_ + "/" + key; }
  const std::string& source() const { return source_; }
  const std::string& path() const { return path_; }
  const nlohmann::json& json() const { return object_; }

 private:
  const nlohmann::json& require(const std::string& key);

  const nlohmann::json& object_;
  std::string source_;
  std::string path_;
  std::set<std::string> read_;
};

// Parses a JSON file; throws ConfigError naming the file and the line on a syntax error.
nlohmann::json load_json_file(const std::string& file);

// Runs `parse` and converts a ConfigError into a Status.
template <class T, class F>
Result<T> parse_config(F&& parse) {
  try {
    return Result<T>(parse());
  } catch (const ConfigError& e) {
    return Result<T>(Errc::config, e.what());
  } catch (const nlohmann::json::exception& e) {
    return Result<T>(Errc::config, e.what());
  }
}

}  // namespace traction
