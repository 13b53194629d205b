#include "base/random.h"

#include <gtest/gtest.h>

namespace of {
namespace {

TEST(UuidV7Test, IdsSortInCreationOrderAndAfterTheirFloor) {
  ManualClock clock(1'764'000'000'000);
  Random random(7);
  UuidV7Generator ids(clock, random);
  std::string previous = ids.next();
  EXPECT_TRUE(is_uuid(previous));
  EXPECT_EQ(previous[14], '7');  // version
  for (int i = 0; i < 5000; ++i) {
    if (i % 100 == 0) clock.advance_ms(1);
    std::string id = ids.next();
    EXPECT_LT(previous, id);
    previous = id;
  }
  clock.advance_ms(1);
  const std::string floor = uuid_v7_floor(clock.now_ms());
  EXPECT_TRUE(is_uuid(floor));
  EXPECT_LT(previous, floor);
  EXPECT_LE(floor, ids.next());
}

TEST(BackoffTest, FullJitterStaysUnderTheCappedCeiling) {
  Random random(1);
  for (int attempt = 1; attempt < 40; ++attempt) {
    for (int i = 0; i < 50; ++i) {
      int64_t delay = backoff_with_full_jitter_ms(random, attempt, 100, 30'000);
      EXPECT_GE(delay, 0);
      EXPECT_LE(delay, std::min<int64_t>(30'000, 100LL << std::min(attempt - 1, 30)));
    }
  }
}

TEST(Iso8601Test, FormatsAndParsesBack) {
  TimeMs parsed = 0;
  EXPECT_EQ(format_iso8601(1'764'074'773'123), "2025-11-25T12:46:13.123Z");
  ASSERT_TRUE(parse_iso8601("2025-11-25T12:46:13.123Z", &parsed));
  EXPECT_EQ(parsed, 1'764'074'773'123);
  ASSERT_TRUE(parse_iso8601("2025-11-25T13:46:13+01:00", &parsed));
  EXPECT_EQ(parsed, 1'764'074'773'000);
  EXPECT_FALSE(parse_iso8601("2025-13-25T12:46:13Z", &parsed));
  EXPECT_FALSE(parse_iso8601("yesterday", &parsed));
  EXPECT_FALSE(parse_iso8601("2025-11-25T12:46:13", &parsed));
}

}  // namespace
}  // namespace of
