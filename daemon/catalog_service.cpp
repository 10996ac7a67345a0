// SPDX-License-Identifier: Apache-2.0
#include "daemon/catalog_service.hpp"

namespace traction {
namespace {

ApiError busy() {
  return ApiError{reason::kTooManyRequests, "too many plans are being made; try again in a moment",
                  nlohmann::json::object()};
}

}  // namespace

CatalogService::CatalogService(std::shared_ptr<const Catalog> catalog,
                               ProgressionSource* progression, std::size_t max_pending)
    : catalog_(std::move(catalog)),
      progression_(progression),
      max_pending_(max_pending),
      worker_([this] { work(); }) {}

CatalogService::~CatalogService() {
  {
    std::lock_guard lock(jobs_mutex_);
    quit_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

std::shared_ptr<const Catalog> CatalogService::current() const {
  std::lock_guard lock(catalog_mutex_);
  return catalog_;
}

Status CatalogService::replace(std::shared_ptr<const Catalog> catalog) {
  std::lock_guard lock(catalog_mutex_);
  if (!catalog || catalog->kind() != catalog_->kind()) {
    return {Errc::config, "the new catalog is for another kind of device"};
  }
  catalog_ = std::move(catalog);
  return Status::success();
}

void CatalogService::plan(PlanRequest request, PlanDone done) {
  auto catalog = current();
  if (!request.definition && progression_ != nullptr) {
    const std::string program = request.program;
    const std::string profile = request.profile;
    auto shared_done = std::make_shared<PlanDone>(std::move(done));
    const bool queued =
        progression_->past_sessions(program, profile,
                                    [catalog, request = std::move(request), shared_done](
                                        std::optional<ApiError> error, ProgressionHistory past) {
                                      std::shared_ptr<const Plan> plan;
                                      if (!error) error = catalog->make_plan(request, plan, past);
                                      (*shared_done)(std::move(error), std::move(plan));
                                    });
    if (!queued) (*shared_done)(busy(), nullptr);
    return;
  }
  {
    std::lock_guard lock(jobs_mutex_);
    if (jobs_.size() < max_pending_) {
      jobs_.push_back([catalog, request = std::move(request), done]() {
        std::shared_ptr<const Plan> plan;
        auto error = catalog->make_plan(request, plan);
        done(std::move(error), std::move(plan));
      });
      wake_.notify_one();
      return;
    }
  }
  done(busy(), nullptr);
}

void CatalogService::work() {
  std::unique_lock lock(jobs_mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return quit_ || !jobs_.empty(); });
    if (quit_) return;
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    lock.lock();
  }
}

}  // namespace traction
