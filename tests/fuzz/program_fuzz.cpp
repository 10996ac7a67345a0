// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for program parsing, expansion and validation: any bytes a client may send as
// an inline definition go through Catalog::make_plan on both simulator devices. Invariants: no
// exception escapes, the answer is a plan or an error, and an accepted plan keeps every limit
// (targets within [min_target, max_target], rates within the rate limits, the session time within
// max_session_seconds, the last phase a release to home).
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "daemon/engine/catalog.hpp"
#include "drivers/device_file.hpp"

namespace {

using namespace traction;

std::shared_ptr<const Catalog> catalog_for(DeviceKind kind) {
  const std::string root = TRACTION_SOURCE_DIR;
  auto device = load_device_file(root + "/config/devices/sim-" + to_string(kind) + ".json");
  if (!device) std::abort();
  CatalogConfig c;
  c.kind = kind;
  c.device_limits = device->limits;
  c.device_source = device->source;
  c.profiles = nlohmann::json::array({{{"name", "p75"}, {"body_mass_kg", 75}}});
  c.profiles_source = "fuzz";
  auto catalog = Catalog::load(c);
  if (!catalog) std::abort();
  return *catalog;
}

void check_plan(const Plan& plan) {
  const EffectiveLimits& l = plan.limits;
  constexpr double eps = 1e-6;
  if (plan.phases.empty() || plan.phases.back().kind != PhaseKind::release) std::abort();
  if (std::abs(plan.phases.back().target - l.home) > eps) std::abort();
  if (!std::isfinite(plan.total_seconds) || plan.total_seconds > l.max_session_seconds + eps)
    std::abort();
  for (const Phase& p : plan.phases) {
    if (!std::isfinite(p.target) || p.target < l.min_target - eps || p.target > l.max_target + eps)
      std::abort();
    if (!std::isfinite(p.rate) || p.rate < 0 ||
        p.rate > std::max(l.max_rate_up, l.max_rate_down) + eps) {
      std::abort();
    }
    if (!std::isfinite(p.seconds) || p.seconds < 0) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::shared_ptr<const Catalog> catalogs[] = {catalog_for(DeviceKind::inversion),
                                                            catalog_for(DeviceKind::traction)};
  const nlohmann::json definition =
      nlohmann::json::parse(reinterpret_cast<const char*>(data),
                            reinterpret_cast<const char*>(data) + size, nullptr, false);
  if (definition.is_discarded()) return 0;
  for (const auto& catalog : catalogs) {
    for (const nlohmann::json& params :
         {nlohmann::json{{"definition", definition}},
          nlohmann::json{{"definition", definition}, {"profile", "p75"}}}) {
      std::shared_ptr<const Plan> plan;
      const auto error = catalog->make_plan(plan_request(params), plan);
      if (error.has_value() == (plan != nullptr)) std::abort();
      if (plan) check_plan(*plan);
    }
  }
  return 0;
}
