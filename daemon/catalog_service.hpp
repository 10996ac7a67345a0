// SPDX-License-Identifier: Apache-2.0
// The catalog's port for the control server: answers program, profile and limit questions from
// the current catalog (replaced whole by a reload), and plans sessions off the server thread. An
// inline program from the socket is planned on the planner's own thread, a catalog program on the
// history's thread (its progression needs the earlier sessions); a full queue is refused at once.
// Either way an estop on another connection never waits behind a plan.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "daemon/control_api.hpp"
#include "daemon/engine/catalog.hpp"

namespace traction {

// Where a catalog program's earlier sessions come from (daemon/history/). `then` runs on the
// history's thread with the sessions of `program` for `profile`, or with an error; false when
// the history cannot take the query now.
class ProgressionSource {
 public:
  virtual ~ProgressionSource() = default;
  using Then = std::function<void(std::optional<ApiError>, ProgressionHistory)>;
  virtual bool past_sessions(const std::string& program, const std::string& profile, Then then) = 0;
};

class CatalogService final : public CatalogPort {
 public:
  // `progression` may be null (no history: plans without progression). It must outlive this.
  CatalogService(std::shared_ptr<const Catalog> catalog, ProgressionSource* progression,
                 std::size_t max_pending = 8);
  ~CatalogService() override;
  CatalogService(const CatalogService&) = delete;
  CatalogService& operator=(const CatalogService&) = delete;

  // Serves `catalog` from now on (SIGHUP reload); a running session keeps its plan.
  // Errc::config when it is for another kind of device.
  Status replace(std::shared_ptr<const Catalog> catalog);
  std::shared_ptr<const Catalog> current() const;

  nlohmann::json program_list() const override { return current()->program_list(); }
  std::optional<ApiError> program_get(const std::string& name, nlohmann::json& out) const override {
    return current()->program_get(name, out);
  }
  nlohmann::json profile_list() const override { return current()->profile_list(); }
  std::optional<ApiError> profile_get(const std::string& name, nlohmann::json& out) const override {
    return current()->profile_get(name, out);
  }
  std::optional<ApiError> limits_get(const std::string& profile,
                                     nlohmann::json& out) const override {
    return current()->limits_get(profile, out);
  }
  void plan(PlanRequest request, PlanDone done) override;

 private:
  void work();

  mutable std::mutex catalog_mutex_;
  std::shared_ptr<const Catalog> catalog_;
  ProgressionSource* progression_;
  std::size_t max_pending_;
  std::mutex jobs_mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool quit_ = false;
  std::thread worker_;
};

}  // namespace traction
