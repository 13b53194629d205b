#include "services/retention/retention.h"

#include <gtest/gtest.h>

#include "base/random.h"
#include "store/memory/memory_store.h"

namespace of::services {
namespace {

TEST(RetentionTest, DeletesOnlyOldDoneJobsAndOldInboxEntries) {
  ManualClock clock(1'764'000'000'000);
  Random random(3);
  UuidV7Generator ids(clock, random);
  store::MemoryStore store;
  ASSERT_TRUE(store.start().is_ok());
  const std::string old_event = ids.next();
  const std::string kind = "notification.send";
  const std::string subject = "order-1";
  auto job = [&](const std::string& id, core::JobState state) {
    core::Job j;
    j.id = JobId(id);
    j.kind = kind;
    j.subject = subject;
    j.state = state;
    j.created_at_ms = j.updated_at_ms = j.next_attempt_at_ms = clock.now_ms();
    return j;
  };
  auto key = [&](const std::string& name) {
    store::IdempotencyRecord record;
    record.key = name;
    record.request_hash = "hash";
    record.status = 201;
    record.created_at_ms = clock.now_ms();
    return record;
  };
  ASSERT_TRUE(store
                  .write([&](store::Tx& tx) -> Status {
                    OF_RETURN_IF_ERROR(tx.put_job(job("old-done", core::JobState::kDone)));
                    OF_RETURN_IF_ERROR(tx.put_job(job("old-dead", core::JobState::kDead)));
                    OF_RETURN_IF_ERROR(tx.put_job(job("old-queued", core::JobState::kQueued)));
                    OF_RETURN_IF_ERROR(tx.put_idempotent(key("old-key")));
                    return tx.inbox_insert("inventory", EventId(old_event)).status();
                  })
                  .is_ok());
  clock.advance_ms(8LL * 24 * 3'600'000);  // past both retention windows
  const std::string new_event = ids.next();
  ASSERT_TRUE(store
                  .write([&](store::Tx& tx) -> Status {
                    OF_RETURN_IF_ERROR(tx.put_job(job("new-done", core::JobState::kDone)));
                    OF_RETURN_IF_ERROR(tx.put_idempotent(key("new-key")));
                    return tx.inbox_insert("inventory", EventId(new_event)).status();
                  })
                  .is_ok());

  Retention retention(store, clock, RetentionOptions{});
  auto deleted = retention.run_once();
  ASSERT_TRUE(deleted);
  EXPECT_EQ(*deleted, 3);  // old-done, the old inbox entry and the old idempotency key
  EXPECT_EQ(*retention.run_once(), 0);
  ASSERT_TRUE(store
                  .write([&](store::Tx& tx) -> Status {
                    EXPECT_FALSE(tx.get_job(JobId("old-done")).value().has_value());
                    EXPECT_TRUE(tx.get_job(JobId("old-dead")).value().has_value());
                    EXPECT_TRUE(tx.get_job(JobId("old-queued")).value().has_value());
                    EXPECT_TRUE(tx.get_job(JobId("new-done")).value().has_value());
                    EXPECT_FALSE(tx.get_idempotent("old-key").value().has_value());
                    EXPECT_TRUE(tx.get_idempotent("new-key").value().has_value());
                    EXPECT_TRUE(tx.inbox_insert("inventory", EventId(old_event)).value());   // gone: inserts again
                    EXPECT_FALSE(tx.inbox_insert("inventory", EventId(new_event)).value());  // still there
                    return Status::ok();
                  })
                  .is_ok());
}

}  // namespace
}  // namespace of::services
