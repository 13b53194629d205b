// The scrape-time collector over real ports: a MemoryStore, a job runner and a
// bus whose checkpoints the test sets.
#include "metrics/system_collector.h"

#include <gtest/gtest.h>

#include "base/clock.h"
#include "base/random.h"
#include "store/memory/memory_store.h"

namespace of::metrics {
namespace {

class FixedBus final : public bus::Bus {
 public:
  void subscribe(bus::SubscriptionSpec) override {}
  Status start() override { return Status::ok(); }
  void stop() override {}
  void wake() override {}
  bus::BusStats stats() const override { return bus::BusStats{5, 2, 1, 3}; }
  std::vector<std::pair<std::string, int64_t>> checkpoints() override {
    return {{"inventory", 3}, {"payments", 10}, {std::string(bus::kLogHeadName), 10}};
  }
};

TEST(MetricsSystemCollectorTest, ReportsLagDeadLettersJobsAndBatchSizes) {
  store::MemoryStore store;
  FixedBus bus;
  ManualClock clock(1'000'000);
  Random random(7);
  jobs::JobRunner runner(store, clock, random, jobs::JobRunnerOptions{});
  Registry registry;
  add_system_collector(registry, SystemSources{store, bus, runner, [] { return int64_t{4}; }, nullptr});
  ASSERT_TRUE(store.start().is_ok());
  ASSERT_TRUE(store
                  .write([](store::Tx& tx) -> Status {
                    core::DeadLetter letter;
                    letter.kind = core::DeadLetterKind::kEvent;
                    letter.consumer = "inventory";
                    letter.reference = "evt-1";
                    letter.subject = "order-1";
                    letter.last_error = "boom";
                    OF_ASSIGN_OR_RETURN(auto id, tx.insert_dead_letter(letter));
                    (void)id;
                    core::Job job;
                    job.id = JobId("job-1");
                    job.kind = "payment.charge";
                    job.subject = "order-1";
                    job.payload_json = "{}";
                    return jobs::enqueue_job(tx, job);
                  })
                  .is_ok());

  const std::string text = registry.expose();
  EXPECT_NE(text.find("orderflow_bus_subscription_lag_events{subscription=\"inventory\"} 7\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("orderflow_bus_subscription_lag_events{subscription=\"payments\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("orderflow_event_log_head_seq 10\n"), std::string::npos);
  EXPECT_NE(text.find("orderflow_dead_letters{kind=\"event\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("orderflow_dead_letters{kind=\"job\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("orderflow_jobs{state=\"queued\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("orderflow_bus_delivered_total 5\n"), std::string::npos);
  EXPECT_NE(text.find("orderflow_status_streams 4\n"), std::string::npos);
  EXPECT_EQ(text.find("orderflow_http_connections"), std::string::npos);  // no source given
  EXPECT_NE(text.find("orderflow_store_read_ok 1\n"), std::string::npos);
  // One commit of one unit (the write above), observed by the commit listener.
  EXPECT_NE(text.find("orderflow_store_batch_units_bucket{le=\"1\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("orderflow_store_commits_total 1\n"), std::string::npos);
  store.stop();
}

}  // namespace
}  // namespace of::metrics
