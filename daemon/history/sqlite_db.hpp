// SPDX-License-Identifier: Apache-2.0
// A thin RAII layer over the SQLite C API: one connection, prepared statements with typed binds
// and columns, transactions. Errors throw SqliteError inside the history module; the module's
// public functions turn them into values at its edges.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace traction::history {

class SqliteError : public std::runtime_error {
 public:
  SqliteError(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binds by 1-based index; an empty optional binds NULL.
  Statement& bind(int index, double value);
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, const std::string& value);
  Statement& bind(int index, const char* value) { return bind(index, std::string(value)); }
  template <class T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }
  Statement& bind_null(int index);

  // Runs one step: true when a row is available, false when done.
  bool step();
  // Steps to the end (for statements that return no rows).
  void run();
  void reset();

  bool is_null(int column) const;
  double real(int column) const;
  std::int64_t integer(int column) const;
  std::string text(int column) const;
  std::optional<double> optional_real(int column) const;
  std::optional<std::int64_t> optional_integer(int column) const;
  std::optional<std::string> optional_text(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class Database {
 public:
  // Opens (creating when `create`) the database file; WAL journal, foreign keys on, a busy
  // timeout so that a reader and the writer wait for each other briefly instead of failing.
  Database(const std::string& path, bool create, int busy_timeout_ms = 2000);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(const std::string& sql);
  Statement prepare(const std::string& sql) { return Statement(db_, sql); }
  int user_version();
  void set_user_version(int version);
  std::int64_t changes() const { return sqlite3_changes64(db_); }
  const std::string& path() const { return path_; }

  // Runs `body` inside BEGIN IMMEDIATE .. COMMIT; rolls back and rethrows on an exception.
  template <class F>
  void transaction(F&& body) {
    exec("BEGIN IMMEDIATE");
    try {
      body();
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
    exec("COMMIT");
  }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace traction::history
