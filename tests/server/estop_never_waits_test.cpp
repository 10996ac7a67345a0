// SPDX-License-Identifier: Apache-2.0
// An emergency stop never waits: not for a free connection slot, not behind the largest inline
// program another connection asks to validate, not behind a control thread that is busy.
#include <gtest/gtest.h>

#include "daemon/catalog_service.hpp"
#include "tests/engine/sim_fixtures.hpp"
#include "tests/server/server_fixture.hpp"

namespace traction::testing {
namespace {

class EstopNeverWaits : public ServerFixture {
 protected:
  void configure(ServerConfig& config) override { config.max_connections = 2; }
};

TEST_F(EstopNeverWaits, an_estop_is_served_when_every_connection_slot_is_taken) {
  start();
  auto a = connect();
  auto b = connect();
  ASSERT_TRUE(a && b);
  ASSERT_FALSE(call(*a, "status.get").error);
  ASSERT_FALSE(call(*b, "status.get").error);
  auto over = connect();  // one past the cap
  ASSERT_TRUE(over);
  const auto estop = call(*over, "device.estop");
  EXPECT_FALSE(estop.error) << estop.error->message;
  bool recorded = false;
  for (const auto& c : port_.commands()) recorded |= c.kind == CommandKind::estop;
  EXPECT_TRUE(recorded);
  auto refused = connect();
  ASSERT_TRUE(refused);
  const auto status = call(*refused, "status.get");
  ASSERT_TRUE(status.error) << "only an estop is served past the cap";
  EXPECT_EQ(status.error->reason, "too_many_connections");
}

// A history that never answers: a catalog program's plan waits on it for ever.
class StuckHistory final : public ProgressionSource {
 public:
  bool past_sessions(const std::string&, const std::string&, Then then) override {
    held_.push_back(std::move(then));
    return true;
  }
  std::vector<Then> held_;
};

// Plans are made off the server thread (inline programs on the catalog's planner thread, catalog
// programs on the history's): a plan that takes long never holds up an estop on another
// connection. Timing under load is the bench's (scripts/bench: estop under a validate flood).
class EstopBesidePlans : public ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    catalog_.emplace(engine_test::sim_catalog(DeviceKind::inversion), &history_);
    server_ = std::make_unique<ControlServer>(
        config_, DaemonPorts{port_, *catalog_, nullptr, port_.ports().info});
    ASSERT_TRUE(server_->start().ok());
  }
  void TearDown() override {
    server_.reset();
    catalog_.reset();
    ServerFixture::TearDown();
  }
  StuckHistory history_;
  std::optional<CatalogService> catalog_;
};

TEST_F(EstopBesidePlans, an_estop_is_answered_while_a_plan_waits_on_the_history) {
  auto planning = connect();
  auto stop = connect();
  ASSERT_TRUE(planning && stop);
  const std::string request =
      R"({"jsonrpc":"2.0","id":99,"method":"program.validate","params":{"program":"quick-check"}})";
  ASSERT_TRUE(planning->send_raw(request + "\n").ok());
  const auto estop = call(*stop, "device.estop");
  EXPECT_FALSE(estop.error);
  EXPECT_FALSE(call(*stop, "status.get").error);
}

// An inline program of about 50 KiB: 400 steps, ramps and holds, as many as a request line holds.
// `rate` is each ramp's rate.
nlohmann::json biggest_program(double rate) {
  nlohmann::json steps = nlohmann::json::array();
  const std::string label = "a step with a long label to make the line as long as allowed";
  for (int i = 0; i < 400; ++i) {
    if (i % 2 == 0) {
      steps.push_back(
          {{"kind", "ramp"}, {"target", 5 + (i % 20)}, {"rate", rate}, {"label", label}});
    } else {
      steps.push_back({{"kind", "hold"}, {"seconds", 1}, {"label", label}});
    }
  }
  return {{"kinds", {"inversion"}}, {"mode", "steps"}, {"phases", steps}};
}

TEST_F(EstopBesidePlans, the_largest_inline_program_is_planned_and_its_refusal_is_bounded) {
  auto big = connect();
  ASSERT_TRUE(big);
  nlohmann::json program = biggest_program(5.0);
  program["repeat"] = 2;  // 800 phases: past the plan size bound
  const nlohmann::json too_long = {{"definition", program}};
  ASSERT_LT(too_long.dump().size(), 64U * 1024U);
  const auto refused = call(*big, "program.validate", too_long);
  ASSERT_TRUE(refused.error);
  EXPECT_EQ(refused.error->reason, "invalid_program");
  EXPECT_NE(refused.error->message.find("500"), std::string::npos) << refused.error->message;
  // 400 phases, many of them past the limits: at most 20 violations listed, and how many more.
  const nlohmann::json fast = biggest_program(50.0);  // beyond max_rate_up at every ramp
  const auto listed = call(*big, "program.validate", {{"definition", fast}});
  ASSERT_TRUE(listed.error);
  EXPECT_EQ(listed.error->reason, "limit_exceeded");
  EXPECT_LE(listed.error->data["violations"].size(), 20U);
  EXPECT_GT(listed.error->data["more_violations"].get<int>(), 0);
}

}  // namespace
}  // namespace traction::testing
