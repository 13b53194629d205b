#include "loadgen/scenario.h"

#include <gtest/gtest.h>

namespace of::loadgen {
namespace {

TEST(ScenarioTest, NamedScenariosHaveTheirDefinitions) {
  auto brief = parse_scenario("brief-10k");
  ASSERT_TRUE(brief) << brief.status().to_string();
  EXPECT_EQ(brief->mode, LoadMode::kClosed);
  EXPECT_EQ(brief->orders_total, 10'000);

  auto sustained = parse_scenario("sustained-200");
  ASSERT_TRUE(sustained);
  EXPECT_EQ(sustained->mode, LoadMode::kOpen);
  EXPECT_DOUBLE_EQ(sustained->rate_per_s, 200);

  auto peak = parse_scenario("peak-500");
  ASSERT_TRUE(peak);
  EXPECT_DOUBLE_EQ(peak->rate_per_s, 500);

  auto spike = parse_scenario("spike");
  ASSERT_TRUE(spike);
  EXPECT_EQ(spike->shape, Shape::kSpike);
  EXPECT_DOUBLE_EQ(spike->spike_factor, 10);
  EXPECT_DOUBLE_EQ(spike->spike_duration_s, 10);

  auto closed = parse_scenario("max");
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->name, "closed");
  EXPECT_EQ(closed->mode, LoadMode::kClosed);
}

TEST(ScenarioTest, InlineKeysOverrideFlagsWhichOverrideDefaults) {
  ScenarioOverrides flags;
  flags.rate_per_s = 1000;
  flags.connections = 8;
  auto s = parse_scenario("steady:rate=2000:duration=5", flags);
  ASSERT_TRUE(s) << s.status().to_string();
  EXPECT_DOUBLE_EQ(s->rate_per_s, 2000);  // inline wins
  EXPECT_DOUBLE_EQ(s->duration_s, 5);
  EXPECT_EQ(s->connections, 8);           // flag wins over the default
  EXPECT_EQ(s->spec, "steady:rate=2000:duration=5");

  auto closed = parse_scenario("steady:mode=closed:orders=50");
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->mode, LoadMode::kClosed);
  EXPECT_EQ(closed->orders_total, 50);
}

TEST(ScenarioTest, ListsRunInOrder) {
  auto list = parse_scenario_list("closed:duration=20,steady:rate=2000,spike,brief-10k");
  ASSERT_TRUE(list) << list.status().to_string();
  ASSERT_EQ(list->size(), 4u);
  EXPECT_EQ((*list)[0].name, "closed");
  EXPECT_DOUBLE_EQ((*list)[0].duration_s, 20);
  EXPECT_DOUBLE_EQ((*list)[1].rate_per_s, 2000);
  EXPECT_EQ((*list)[3].name, "brief-10k");
}

TEST(ScenarioTest, RefusesBadSpecs) {
  EXPECT_EQ(parse_scenario("nope").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(parse_scenario("steady:rate").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(parse_scenario("steady:rate=fast").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(parse_scenario("steady:rate=-1").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(parse_scenario("steady:colour=red").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(parse_scenario("steady:connections=0").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(parse_scenario("steady:mode=sideways").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(parse_scenario("spike:mode=closed").status().code(), Code::kInvalidArgument);
  ScenarioOverrides flags;
  flags.duration_s = 0;
  EXPECT_EQ(parse_scenario("steady", flags).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(parse_scenario_list("steady,,ramp").status().code(), Code::kInvalidArgument);
}

TEST(ScenarioTest, SteadyScheduleHasRateTimesDurationArrivalsEvenlySpaced) {
  auto s = parse_scenario("steady:rate=2000:duration=3");
  ASSERT_TRUE(s);
  auto schedule = arrival_schedule_us(*s);
  ASSERT_TRUE(schedule);
  EXPECT_NEAR(static_cast<double>(schedule->size()), 6000, 1);
  EXPECT_EQ(schedule->front(), 0);
  for (size_t i = 1; i < schedule->size(); ++i) {
    ASSERT_LE((*schedule)[i - 1], (*schedule)[i]);
    ASSERT_NEAR((*schedule)[i] - (*schedule)[i - 1], 500, 2) << i;
  }
  EXPECT_LT(schedule->back(), 3'000'000);
}

TEST(ScenarioTest, SpikeScheduleIsTenTimesDenseDuringTheSpike) {
  auto s = parse_scenario("spike:rate=100:duration=30");
  ASSERT_TRUE(s);
  auto schedule = arrival_schedule_us(*s);
  ASSERT_TRUE(schedule);
  auto count_between = [&](double from_s, double to_s) {
    int64_t n = 0;
    for (int64_t t : *schedule) n += (t >= from_s * 1e6 && t < to_s * 1e6) ? 1 : 0;
    return n;
  };
  EXPECT_NEAR(count_between(0, 10), 1000, 2);
  EXPECT_NEAR(count_between(10, 20), 10'000, 2);
  EXPECT_NEAR(count_between(20, 30), 1000, 2);
  EXPECT_DOUBLE_EQ(rate_at(*s, 15), 1000);
  EXPECT_DOUBLE_EQ(rate_at(*s, 25), 100);
}

TEST(ScenarioTest, RampScheduleGrowsLinearly) {
  auto s = parse_scenario("ramp:rate=1000:duration=10");
  ASSERT_TRUE(s);
  auto schedule = arrival_schedule_us(*s);
  ASSERT_TRUE(schedule);
  // The integral of a line from 0 to 1000/s over 10 s: 5000 orders, a quarter of them in the first half.
  EXPECT_NEAR(static_cast<double>(schedule->size()), 5000, 2);
  int64_t first_half = 0;
  for (int64_t t : *schedule) first_half += t < 5'000'000 ? 1 : 0;
  EXPECT_NEAR(static_cast<double>(first_half), 1250, 2);
}

TEST(ScenarioTest, ScheduleIsBounded) {
  auto s = parse_scenario("steady:rate=1000000:duration=86400");
  ASSERT_TRUE(s);
  EXPECT_EQ(arrival_schedule_us(*s).status().code(), Code::kLimitExceeded);
}

}  // namespace
}  // namespace of::loadgen
