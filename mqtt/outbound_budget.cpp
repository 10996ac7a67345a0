// SPDX-License-Identifier: Apache-2.0
#include "mqtt/outbound_budget.hpp"

namespace traction::mqtt {

bool OutboundBudget::admit(Priority priority) {
  const bool ok = connected_ && (priority == Priority::control || in_flight_.size() < limit_);
  if (!ok) ++dropped_;
  return ok;
}

}  // namespace traction::mqtt
