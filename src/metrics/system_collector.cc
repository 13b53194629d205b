#include "metrics/system_collector.h"

#include <array>
#include <map>
#include <string>

#include "base/log.h"

namespace of::metrics {

namespace {

void counter(ExpositionWriter& writer, const char* name, const char* help, int64_t value) {
  writer.begin(name, help, MetricType::kCounter);
  writer.sample(name, {}, value);
}

void gauge(ExpositionWriter& writer, const char* name, const char* help, double value) {
  writer.begin(name, help, MetricType::kGauge);
  writer.sample(name, {}, value);
}

struct StoreFigures {
  std::array<int64_t, 3> jobs{};  // queued, running, dead
  int64_t pending_deliveries = 0;
  int64_t dead_events = 0;
  int64_t dead_jobs = 0;
};

Status read_store_figures(store::Store& store, StoreFigures& figures) {
  return store.read([&](store::Tx& tx) -> Status {
    OF_ASSIGN_OR_RETURN(figures.jobs[0], tx.count_jobs(core::JobState::kQueued));
    OF_ASSIGN_OR_RETURN(figures.jobs[1], tx.count_jobs(core::JobState::kRunning));
    OF_ASSIGN_OR_RETURN(figures.jobs[2], tx.count_jobs(core::JobState::kDead));
    OF_ASSIGN_OR_RETURN(figures.pending_deliveries, tx.count_pending_deliveries());
    figures.dead_events = figures.dead_jobs = 0;
    int64_t after = 0;
    while (figures.dead_events + figures.dead_jobs < kDeadLettersCountedMax) {
      OF_ASSIGN_OR_RETURN(auto page, tx.list_dead_letters(false, after, store::kListLimitMax));
      for (const auto& letter : page) {
        (letter.kind == core::DeadLetterKind::kEvent ? figures.dead_events : figures.dead_jobs) += 1;
        after = letter.id;
      }
      if (static_cast<int>(page.size()) < store::kListLimitMax) break;
    }
    return Status::ok();
  });
}

void collect(const SystemSources& sources, ExpositionWriter& writer) {
  const store::StoreStats store_stats = sources.store.stats();
  counter(writer, "orderflow_store_commits_total", "Durable commits (one fsync each) of the store's writer.",
          store_stats.commits);
  counter(writer, "orderflow_store_units_total", "Units of work committed (many share one commit).", store_stats.units);
  counter(writer, "orderflow_store_units_failed_total", "Units of work that failed and were rolled back alone.",
          store_stats.units_failed);
  writer.begin("orderflow_store_commit_seconds_total", "Time spent in COMMIT, fsync included.", MetricType::kCounter);
  writer.sample("orderflow_store_commit_seconds_total", {}, static_cast<double>(store_stats.commit_us_total) / 1e6);
  gauge(writer, "orderflow_store_last_batch_units", "Units in the last commit.",
        static_cast<double>(store_stats.last_batch_units));
  gauge(writer, "orderflow_store_max_batch_units", "Most units one commit has held since start.",
        static_cast<double>(store_stats.max_batch_units));

  const bus::BusStats bus_stats = sources.bus.stats();
  counter(writer, "orderflow_bus_delivered_total", "Events whose handler ran and committed.", bus_stats.delivered);
  counter(writer, "orderflow_bus_failed_attempts_total", "Handler attempts that returned an error (retried).",
          bus_stats.failed_attempts);
  counter(writer, "orderflow_bus_dead_lettered_total", "Events parked in the dead-letter store after the last retry.",
          bus_stats.dead_lettered);
  counter(writer, "orderflow_bus_duplicates_skipped_total",
          "Deliveries skipped because the subscription's inbox had the event id.", bus_stats.skipped_duplicates);

  // Bus::checkpoints(): subscriptions in order, then the log head.
  const auto checkpoints = sources.bus.checkpoints();
  int64_t head = -1;
  for (const auto& [name, seq] : checkpoints) {
    if (name == bus::kLogHeadName) head = seq;
  }
  if (head >= 0) {
    gauge(writer, "orderflow_event_log_head_seq", "Sequence number of the newest event in the log.",
          static_cast<double>(head));
    writer.begin("orderflow_bus_subscription_checkpoint_seq", "Last event seq a subscription has handled.",
                 MetricType::kGauge);
    for (const auto& [name, seq] : checkpoints) {
      if (name == bus::kLogHeadName) continue;
      const Label labels[] = {{"subscription", name}};
      writer.sample("orderflow_bus_subscription_checkpoint_seq", labels, seq);
    }
    writer.begin("orderflow_bus_subscription_lag_events",
                 "Events in the log a subscription has not handled yet (log head minus checkpoint).",
                 MetricType::kGauge);
    for (const auto& [name, seq] : checkpoints) {
      if (name == bus::kLogHeadName) continue;
      const Label labels[] = {{"subscription", name}};
      writer.sample("orderflow_bus_subscription_lag_events", labels, head - seq);
    }
  }

  const jobs::JobRunnerStats job_stats = sources.jobs.stats();
  counter(writer, "orderflow_jobs_executed_total", "Job attempts executed.", job_stats.executed);
  counter(writer, "orderflow_jobs_succeeded_total", "Jobs that succeeded.", job_stats.succeeded);
  counter(writer, "orderflow_jobs_failed_permanent_total", "Jobs that failed permanently (no retry).",
          job_stats.failed_permanent);
  counter(writer, "orderflow_jobs_retried_total", "Transient job failures scheduled for another attempt.",
          job_stats.retried);
  counter(writer, "orderflow_jobs_dead_lettered_total", "Jobs dead-lettered after their last attempt.",
          job_stats.dead_lettered);
  counter(writer, "orderflow_jobs_stale_outcomes_total",
          "Job outcomes dropped because the lease had expired and the job was claimed again.",
          job_stats.stale_outcomes);
  counter(writer, "orderflow_jobs_outcome_failures_total", "Job outcome units that failed (the lease retries them).",
          job_stats.outcome_failures);
  gauge(writer, "orderflow_jobs_in_flight", "Jobs executing on worker threads now.",
        static_cast<double>(job_stats.in_flight));

  StoreFigures figures;
  Status read = read_store_figures(sources.store, figures);
  gauge(writer, "orderflow_store_read_ok", "1 when this scrape's store reads succeeded, else 0.", read.is_ok() ? 1 : 0);
  if (read.is_ok()) {
    writer.begin("orderflow_jobs", "Jobs by state (done jobs are not counted: see orderflow_jobs_succeeded_total).",
                 MetricType::kGauge);
    static constexpr std::array<std::string_view, 3> kStates = {"queued", "running", "dead"};
    for (size_t i = 0; i < kStates.size(); ++i) {
      const Label labels[] = {{"state", kStates[i]}};
      writer.sample("orderflow_jobs", labels, figures.jobs[i]);
    }
    gauge(writer, "orderflow_bus_pending_deliveries", "Events waiting for a retry, over all subscriptions.",
          static_cast<double>(figures.pending_deliveries));
    writer.begin("orderflow_dead_letters", "Dead letters not yet redriven, by kind (counted up to 10000 per scrape).",
                 MetricType::kGauge);
    const Label events[] = {{"kind", "event"}};
    writer.sample("orderflow_dead_letters", events, figures.dead_events);
    const Label jobs[] = {{"kind", "job"}};
    writer.sample("orderflow_dead_letters", jobs, figures.dead_jobs);
  } else {
    OF_LOG_WARN("metrics: store read failed during a scrape: {}", read.to_string());
  }

  if (sources.status_streams) {
    gauge(writer, "orderflow_status_streams", "Open order status streams (Server-Sent Events).",
          static_cast<double>(sources.status_streams()));
  }
  if (sources.http_connections) {
    gauge(writer, "orderflow_http_connections", "Open HTTP connections.",
          static_cast<double>(sources.http_connections()));
  }
}

}  // namespace

void add_system_collector(Registry& registry, SystemSources sources) {
  std::vector<double> batch_bounds;
  for (double units = 1; units <= 4096; units *= 2) batch_bounds.push_back(units);
  Histogram& batch_units =
      registry
          .histogram("orderflow_store_batch_units", "Units of work per durable commit (group commit batch size).", {},
                     std::move(batch_bounds))
          .with({});
  sources.store.add_commit_listener(
      [&batch_units](const store::CommitInfo& commit) { batch_units.observe(static_cast<double>(commit.units)); });
  registry.add_collector([sources = std::move(sources)](ExpositionWriter& writer) { collect(sources, writer); });
}

}  // namespace of::metrics
