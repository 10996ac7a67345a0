// SPDX-License-Identifier: Apache-2.0
// Errors cross module boundaries as values, never as exceptions, so every caller sees and handles
// them where they happen: Status for operations that return nothing, Result<T> for those that
// return a value.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace traction {

enum class Errc {
  ok = 0,
  invalid_argument,  // the caller asked for something malformed or out of range
  config,            // a configuration file or map is wrong
  link,              // the transport is gone (socket closed, serial port lost)
  timeout,           // no (valid) reply in time
  exception,         // the device answered with a protocol exception
  refused,           // the device or a precondition refuses the operation
  state,             // wrong state for the request
  internal,
};

const char* to_string(Errc code);

class Status {
 public:
  Status() = default;
  Status(Errc code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status success() { return {}; }

  bool ok() const { return code_ == Errc::ok; }
  explicit operator bool() const { return ok(); }
  Errc code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Errc code_ = Errc::ok;
  std::string message_;
};

template <class T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {}  // NOLINT(google-explicit-constructor)
  Result(Errc code, std::string message) : status_(code, std::move(message)) {}

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Status& status() const { return status_; }
  T& value() { return *value_; }
  const T& value() const { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

inline const char* to_string(Errc code) {
  switch (code) {
    case Errc::ok:
      return "ok";
    case Errc::invalid_argument:
      return "invalid_argument";
    case Errc::config:
      return "config";
    case Errc::link:
      return "link";
    case Errc::timeout:
      return "timeout";
    case Errc::exception:
      return "exception";
    case Errc::refused:
      return "refused";
    case Errc::state:
      return "state";
    case Errc::internal:
      return "internal";
  }
  return "unknown";
}

}  // namespace traction
