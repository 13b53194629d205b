#include "loadgen/bench.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "base/clock.h"
#include "loadgen/proc_stats.h"
#include "net/http_client.h"

namespace of::loadgen {
namespace {

namespace json = boost::json;
using SteadyClock = std::chrono::steady_clock;

constexpr int kTimelinePointsMax = 1800;   // buckets widen beyond this many seconds
constexpr int kSetupThreads = 8;
constexpr int kHistoryThreads = 8;
constexpr int kFinishSampleSize = 40;      // orders polled to learn that the backlog drained
constexpr int64_t kPollPauseMs = 100;
constexpr double kOverloadGraceMaxS = 30;  // open loop: how far behind the schedule sending may go on

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t micros(SteadyClock::duration duration) {
  return std::chrono::duration_cast<std::chrono::microseconds>(duration).count();
}

bool is_terminal(std::string_view status) {
  return status == "DELIVERED" || status == "REJECTED" || status == "CANCELLED" || status == "REFUNDED" ||
         status == "PARTIALLY_REFUNDED";
}

// The top-level "id" of an order body ("productId" and friends do not match the quotes).
std::string order_id_from(const std::string& body) {
  constexpr std::string_view kKey = "\"id\":\"";
  size_t at = body.find(kKey);
  if (at == std::string::npos) return {};
  size_t start = at + kKey.size();
  size_t end = body.find('"', start);
  return end == std::string::npos ? std::string() : body.substr(start, end - start);
}

void progress(const BenchOptions& options, const std::string& line) {
  if (!options.quiet) std::fprintf(stderr, "[bench] %s\n", line.c_str());
}

net::HttpClient make_client(const Endpoint& endpoint) {
  return net::HttpClient({endpoint.host, endpoint.port, 5'000, 30'000});
}

// Collects every answer of one scenario, from all worker threads.
class Recorder {
 public:
  Recorder(RunResult& run, SteadyClock::time_point start, double bucket_s)
      : run_(run), start_(start), bucket_s_(bucket_s), buckets_(kTimelinePointsMax) {}

  struct Answer {
    OrderKind kind = OrderKind::kValid;
    int status = 0;  // 0: transport error
    int64_t latency_us = 0;
    int64_t lag_us = 0;
    SteadyClock::time_point answered_at;
    std::string order_id;
    bool cancel_sent = false;
    int cancel_status = 0;
  };

  void record(Answer answer) {
    std::lock_guard lock(mutex_);
    ++run_.sent;
    if (answer.kind == OrderKind::kInvalid) ++run_.invalid_sent;
    if (answer.kind == OrderKind::kDeclined) ++run_.declined_sent;
    const double elapsed_s = std::chrono::duration<double>(answer.answered_at - start_).count();
    auto index = static_cast<size_t>(std::max(0.0, elapsed_s / bucket_s_));
    index = std::min(index, buckets_.size() - 1);
    used_buckets_ = std::max(used_buckets_, index + 1);
    Bucket& bucket = buckets_[index];
    ++bucket.sent;
    last_answer_ = std::max(last_answer_, answer.answered_at);
    run_.send_lag_us.record(answer.lag_us);
    bool error = false;
    if (answer.status == 0) {
      ++run_.errors["transport"];
      error = true;
    } else if (answer.kind == OrderKind::kInvalid) {
      if (answer.status == 400) {
        ++run_.rejected_expected;
      } else {
        ++run_.errors[answer.status == 201 ? "invalid_accepted" : "http_" + std::to_string(answer.status)];
        error = true;
      }
    } else if (answer.status != 201) {
      ++run_.errors["http_" + std::to_string(answer.status)];
      error = true;
    }
    if (answer.status == 201) {
      ++run_.accepted;
      ++bucket.accepted;
      run_.confirmation_us.record(answer.latency_us);
      bucket.latency_us.record(answer.latency_us);
      if (!answer.order_id.empty()) accepted_ids_.push_back(std::move(answer.order_id));
    }
    if (error) ++bucket.errors;
    if (answer.cancel_sent) {
      ++run_.cancels_sent;
      ++run_.cancel_responses[answer.cancel_status == 0 ? "transport" : "http_" + std::to_string(answer.cancel_status)];
    }
  }

  // Fills the run's timeline (and the spike recovery); call after the workers stopped.
  void finish() {
    run_.timeline_bucket_s = bucket_s_;
    run_.timeline.clear();
    for (size_t i = 0; i < used_buckets_; ++i) {
      TimelinePoint point;
      point.start_s = static_cast<double>(i) * bucket_s_;
      point.sent = buckets_[i].sent;
      point.accepted = buckets_[i].accepted;
      point.errors = buckets_[i].errors;
      point.confirmation = summarize(buckets_[i].latency_us);
      run_.timeline.push_back(point);
    }
    const Scenario& s = run_.scenario;
    if (s.shape == Shape::kSpike && s.mode == LoadMode::kOpen) run_.spike_recovery_s = spike_recovery_s();
  }

  std::vector<std::string>& accepted_ids() { return accepted_ids_; }
  SteadyClock::time_point last_answer() const { return last_answer_; }

 private:
  struct Bucket {
    int64_t sent = 0, accepted = 0, errors = 0;
    LatencyHistogram latency_us;
  };

  // Seconds after the spike ends until two buckets in a row have a P99 within
  // twice (and at most 5 ms above) the P99 of the 10 s before the spike.
  std::optional<double> spike_recovery_s() const {
    const Scenario& s = run_.scenario;
    const auto first = static_cast<size_t>(std::max(0.0, (s.spike_start_s - 10) / bucket_s_));
    const auto spike_begin = static_cast<size_t>(s.spike_start_s / bucket_s_);
    const auto spike_end = static_cast<size_t>(std::ceil((s.spike_start_s + s.spike_duration_s) / bucket_s_));
    LatencyHistogram before;
    for (size_t i = first; i < std::min(spike_begin, used_buckets_); ++i) before.merge(buckets_[i].latency_us);
    if (before.count() == 0) return std::nullopt;
    const int64_t baseline = before.percentile(0.99);
    const int64_t threshold = std::max<int64_t>(std::min(2 * baseline, baseline + 5'000), 1'000);
    for (size_t i = spike_end; i + 1 < used_buckets_; ++i) {
      if (buckets_[i].latency_us.percentile(0.99) <= threshold &&
          buckets_[i + 1].latency_us.percentile(0.99) <= threshold) {
        return static_cast<double>(i) * bucket_s_ - (s.spike_start_s + s.spike_duration_s);
      }
    }
    return std::nullopt;
  }

  std::mutex mutex_;
  RunResult& run_;
  const SteadyClock::time_point start_;
  const double bucket_s_;
  std::vector<Bucket> buckets_;
  size_t used_buckets_ = 0;
  SteadyClock::time_point last_answer_{};
  std::vector<std::string> accepted_ids_;
};

struct OrderOutcome {
  bool found = false;
  bool terminal = false;
  std::string status;
  int64_t pending_at_ms = -1;
  int64_t terminal_at_ms = -1;
  std::array<int64_t, 4> stage_at_ms = {-1, -1, -1, -1};
};

OrderOutcome fetch_order(net::HttpClient& client, const std::string& id) {
  OrderOutcome outcome;
  auto response = client.get("/v1/orders/" + id);
  if (!response || response->status != 200) return outcome;
  boost::system::error_code error;
  json::value value = json::parse(response->body, error);
  if (error || !value.is_object()) return outcome;
  const json::object& order = value.as_object();
  const json::value* status = order.if_contains("status");
  const json::value* history = order.if_contains("history");
  if (status == nullptr || !status->is_string() || history == nullptr || !history->is_array()) return outcome;
  outcome.found = true;
  outcome.status = std::string(status->as_string());
  outcome.terminal = is_terminal(outcome.status);
  for (const json::value& entry : history->as_array()) {
    if (!entry.is_object()) continue;
    const json::value* to = entry.as_object().if_contains("status");
    const json::value* at = entry.as_object().if_contains("at");
    if (to == nullptr || at == nullptr || !to->is_string() || !at->is_string()) continue;
    TimeMs at_ms = 0;
    if (!parse_iso8601(std::string_view(at->as_string()), &at_ms)) continue;
    std::string_view to_status(to->as_string());
    if (to_status == "PENDING" && outcome.pending_at_ms < 0) outcome.pending_at_ms = at_ms;
    for (size_t i = 0; i < kStageStatuses.size(); ++i) {
      if (to_status == kStageStatuses[i] && outcome.stage_at_ms[i] < 0) outcome.stage_at_ms[i] = at_ms;
    }
    if (is_terminal(to_status)) outcome.terminal_at_ms = std::max(outcome.terminal_at_ms, at_ms);
  }
  return outcome;
}

// Polls a sample of the accepted orders (the newest and an even spread) until
// all of them are terminal or the deadline passes: the backlog has drained.
void wait_for_sample(const Endpoint& endpoint, const std::vector<std::string>& ids,
                     SteadyClock::time_point deadline) {
  std::vector<std::string> sample;
  const size_t half = kFinishSampleSize / 2;
  for (size_t i = 0; i < std::min(half, ids.size()); ++i) sample.push_back(ids[ids.size() - 1 - i]);
  for (size_t i = 0; i < half && ids.size() > half; ++i) sample.push_back(ids[i * (ids.size() / half)]);
  net::HttpClient client = make_client(endpoint);
  while (!sample.empty() && SteadyClock::now() < deadline) {
    std::vector<std::string> waiting;
    for (const std::string& id : sample) {
      if (!fetch_order(client, id).terminal) waiting.push_back(id);
    }
    sample.swap(waiting);
    if (!sample.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(kPollPauseMs));
  }
  // Work that follows the last status change (notification jobs, say) shows in
  // /readyz as queued jobs and pending deliveries: wait for those too, so that
  // the next scenario does not pay for this one's tail.
  while (SteadyClock::now() < deadline) {
    auto ready = client.get("/readyz");
    if (!ready || ready->status != 200) return;
    boost::system::error_code error;
    json::value value = json::parse(ready->body, error);
    if (error || !value.is_object()) return;
    const json::value* checks = value.as_object().if_contains("checks");
    if (checks == nullptr || !checks->is_object()) return;
    // Due and running jobs, not queued ones: timers due much later (a
    // reservation's expiry) stay queued for as long as the reservation lives.
    auto idle = [&checks](std::string_view name) {
      const json::value* value = checks->as_object().if_contains(name);
      return value == nullptr || !value->is_int64() || value->as_int64() == 0;
    };
    const json::value* deliveries = checks->as_object().if_contains("pendingDeliveries");
    const bool jobs_idle = idle("dueJobs") && idle("runningJobs");
    const bool deliveries_idle = deliveries == nullptr || !deliveries->is_int64() || deliveries->as_int64() == 0;
    if (jobs_idle && deliveries_idle) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(kPollPauseMs));
  }
}

// Reads every accepted order's history (again, for those not yet terminal,
// until the deadline) and fills the run's end-to-end figures.
void measure_end_to_end(const Endpoint& endpoint, const std::vector<std::string>& ids, RunResult& run,
                        int64_t start_wall_ms, int64_t load_end_wall_ms, SteadyClock::time_point deadline) {
  std::vector<std::string> remaining = ids;
  std::vector<OrderOutcome> finished;
  std::vector<OrderOutcome> last_seen;
  std::mutex mutex;
  while (!remaining.empty()) {
    std::vector<std::string> not_terminal;
    std::atomic<size_t> next{0};
    last_seen.clear();
    auto worker = [&] {
      net::HttpClient client = make_client(endpoint);
      while (true) {
        size_t index = next.fetch_add(1);
        if (index >= remaining.size()) break;
        OrderOutcome outcome = fetch_order(client, remaining[index]);
        std::lock_guard lock(mutex);
        if (outcome.terminal) {
          finished.push_back(std::move(outcome));
        } else {
          not_terminal.push_back(remaining[index]);
          last_seen.push_back(std::move(outcome));
        }
      }
    };
    std::vector<std::thread> threads;
    for (int i = 0; i < kHistoryThreads; ++i) threads.emplace_back(worker);
    for (auto& thread : threads) thread.join();
    remaining.swap(not_terminal);
    if (remaining.empty() || SteadyClock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  run.stages_measured = true;
  run.orders_checked = static_cast<int64_t>(ids.size());
  run.unfinished = static_cast<int64_t>(remaining.size());
  int64_t last_terminal_ms = -1;
  auto account = [&](const OrderOutcome& outcome) {
    ++run.final_statuses[outcome.found ? outcome.status : "NOT_FOUND"];
    if (outcome.pending_at_ms < 0) return;
    for (size_t i = 0; i < kStageStatuses.size(); ++i) {
      if (outcome.stage_at_ms[i] >= 0) run.stage_us[i].record((outcome.stage_at_ms[i] - outcome.pending_at_ms) * 1000);
    }
  };
  for (const OrderOutcome& outcome : finished) {
    account(outcome);
    last_terminal_ms = std::max(last_terminal_ms, outcome.terminal_at_ms);
  }
  for (const OrderOutcome& outcome : last_seen) account(outcome);
  if (run.unfinished == 0 && last_terminal_ms >= 0) {
    run.all_finished_s = static_cast<double>(last_terminal_ms - start_wall_ms) / 1000.0;
    run.drained_after_load_s = std::max(0.0, static_cast<double>(last_terminal_ms - load_end_wall_ms) / 1000.0);
  }
}

Status setup_catalog(const Endpoint& endpoint, const BenchOptions& options) {
  std::atomic<int64_t> next{0};
  std::mutex mutex;
  Status failure;
  auto worker = [&] {
    net::HttpClient client = make_client(endpoint);
    while (true) {
      int64_t rank = next.fetch_add(1);
      if (rank >= options.products) break;
      const std::string id = bench_product_id(rank);
      auto product = client.put("/v1/products/" + id, R"({"name":"Bench product )" + std::to_string(rank) +
                                                          R"(","price":)" +
                                                          std::to_string(bench_product_price_minor(rank)) +
                                                          R"(,"currency":"USD","taxClass":"standard"})");
      auto stock = product && product->status / 100 == 2
                       ? client.put("/v1/inventory/" + id, R"({"onHand":)" + std::to_string(options.stock_per_product) + "}")
                       : product;
      if (!stock || stock->status / 100 != 2) {
        std::lock_guard lock(mutex);
        failure = Status::unavailable("loading product " + id + " failed: " +
                                      (stock ? "HTTP " + std::to_string(stock->status) + " " + stock->body
                                             : stock.status().to_string()));
        next = options.products;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < kSetupThreads; ++i) threads.emplace_back(worker);
  for (auto& thread : threads) thread.join();
  return failure;
}

Result<RunResult> run_scenario(const Endpoint& endpoint, const BenchOptions& options, const TrafficMix& mix,
                               const Scenario& scenario, int run_index) {
  RunResult run;
  run.scenario = scenario;
  const bool open = scenario.mode == LoadMode::kOpen;
  std::vector<int64_t> schedule;
  if (open) {
    OF_ASSIGN_OR_RETURN(schedule, arrival_schedule_us(scenario));
    run.scheduled = static_cast<int64_t>(schedule.size());
    run.offered_per_s = static_cast<double>(schedule.size()) / scenario.duration_s;
  }
  const double bucket_s = std::max(1.0, std::ceil(scenario.duration_s / kTimelinePointsMax));

  std::optional<ProcessSample> server_before;
  if (options.server_pid > 0) {
    auto sample = sample_process(options.server_pid);
    if (!sample) return sample.status();
    server_before = *sample;
  }
  const double client_cpu_before = self_cpu_s();
  // Give every thread time to start and open its connection before the first slot.
  const auto start = SteadyClock::now() + std::chrono::milliseconds(200 + 2 * scenario.connections);
  const int64_t start_wall_ms = wall_ms() + 200 + 2 * scenario.connections;
  const auto deadline = start + std::chrono::microseconds(static_cast<int64_t>(scenario.duration_s * 1e6));
  // Open loop: a server slower than the offered rate falls further behind every
  // second. Slots still unsent this long after the schedule ends are counted as
  // "unsent_overloaded" errors instead of being sent, so a run stays bounded.
  const auto give_up = deadline + std::chrono::microseconds(static_cast<int64_t>(
                                      std::min(scenario.duration_s * 0.5, kOverloadGraceMaxS) * 1e6)) +
                       std::chrono::seconds(5);
  std::atomic<int64_t> unsent{0};
  Recorder recorder(run, start, bucket_s);
  std::atomic<int64_t> next{0};

  auto worker = [&](int thread_index) {
    net::HttpClient client = make_client(endpoint);
    (void)client.get("/healthz");  // connect now, not on the first timed request
    OrderGenerator generator(mix, options.seed * 1'000'003 + static_cast<uint64_t>(run_index) * 7'919 +
                                      static_cast<uint64_t>(thread_index));
    std::this_thread::sleep_until(start);
    while (true) {
      SteadyClock::time_point intended;
      if (open) {
        int64_t slot = next.fetch_add(1);
        if (slot >= static_cast<int64_t>(schedule.size())) break;
        intended = start + std::chrono::microseconds(schedule[static_cast<size_t>(slot)]);
        if (SteadyClock::now() > give_up) {
          unsent.fetch_add(1);
          continue;
        }
      } else {
        if (SteadyClock::now() >= deadline) break;
        if (scenario.orders_total > 0 && next.fetch_add(1) >= scenario.orders_total) break;
      }
      PlannedOrder order = generator.next();
      if (open) std::this_thread::sleep_until(intended);
      const auto sent_at = SteadyClock::now();
      if (!open) intended = sent_at;
      auto response = client.post("/v1/orders", order.body);
      Recorder::Answer answer;
      answer.answered_at = SteadyClock::now();
      answer.kind = order.kind;
      answer.latency_us = micros(answer.answered_at - intended);
      answer.lag_us = micros(sent_at - intended);
      answer.status = response ? response->status : 0;
      if (answer.status == 201) {
        answer.order_id = order_id_from(response->body);
        if (order.cancel && !answer.order_id.empty()) {
          auto cancel = client.post("/v1/orders/" + answer.order_id + "/cancel", R"({"reason":"bench"})");
          answer.cancel_sent = true;
          answer.cancel_status = cancel ? cancel->status : 0;
        }
      }
      recorder.record(std::move(answer));
    }
  };
  progress(options, "scenario " + scenario.spec + ": " + std::string(to_string(scenario.mode)) + " loop, " +
                        (open ? std::to_string(schedule.size()) + " orders scheduled over " +
                                    std::to_string(static_cast<int64_t>(scenario.duration_s)) + " s"
                              : (scenario.orders_total > 0 ? std::to_string(scenario.orders_total) + " orders"
                                                           : std::to_string(static_cast<int64_t>(scenario.duration_s)) + " s")) +
                        ", " + std::to_string(scenario.connections) + " connections");
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(scenario.connections));
  for (int i = 0; i < scenario.connections; ++i) threads.emplace_back(worker, i);
  for (auto& thread : threads) thread.join();
  recorder.finish();
  if (unsent.load() > 0) run.errors["unsent_overloaded"] = unsent.load();
  const auto load_end = std::max(recorder.last_answer(), start);
  const int64_t load_end_wall_ms = start_wall_ms + micros(load_end - start) / 1000;
  run.load_s = std::chrono::duration<double>(load_end - start).count();
  run.accepted_per_s = run.load_s > 0 ? static_cast<double>(run.accepted) / run.load_s : 0;
  run.client_cpu_s = self_cpu_s() - client_cpu_before;
  progress(options, "  " + std::to_string(run.accepted) + " accepted in " + std::to_string(run.load_s) + " s");

  const auto finish_deadline =
      SteadyClock::now() + std::chrono::milliseconds(static_cast<int64_t>(options.finish_timeout_s * 1000));
  std::vector<std::string>& ids = recorder.accepted_ids();
  if (options.end_to_end) wait_for_sample(endpoint, ids, finish_deadline);
  // The server's work for these orders is done (or the timeout passed): CPU and memory now,
  // before reading every history adds work of its own.
  if (server_before) {
    auto after = sample_process(options.server_pid);
    if (after) {
      ServerUsage usage;
      usage.pid = options.server_pid;
      usage.cpu_s = after->cpu_s - server_before->cpu_s;
      usage.cpu_us_per_order = run.accepted > 0 ? usage.cpu_s * 1e6 / static_cast<double>(run.accepted) : 0;
      usage.rss_kb_before = server_before->rss_kb;
      usage.rss_kb_after = after->rss_kb;
      run.server = usage;
    }
  }
  if (options.end_to_end) {
    progress(options, "  reading the history of " + std::to_string(ids.size()) + " orders");
    measure_end_to_end(endpoint, ids, run, start_wall_ms, load_end_wall_ms, finish_deadline);
  }
  return run;
}

}  // namespace

Result<Endpoint> parse_http_url(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return Status::invalid("--url must start with http:// (got '" + std::string(url) + "')", "url");
  }
  std::string_view rest = url.substr(kScheme.size());
  size_t slash = rest.find('/');
  if (slash != std::string_view::npos) {
    if (rest.substr(slash) != "/") return Status::invalid("--url takes no path (got '" + std::string(url) + "')", "url");
    rest = rest.substr(0, slash);
  }
  Endpoint endpoint;
  size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos) {
    endpoint.host = std::string(rest);
  } else {
    endpoint.host = std::string(rest.substr(0, colon));
    std::string_view port = rest.substr(colon + 1);
    unsigned value = 0;
    auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (error != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return Status::invalid("--url has a bad port (got '" + std::string(url) + "')", "url");
    }
    endpoint.port = static_cast<uint16_t>(value);
  }
  if (endpoint.host.empty()) return Status::invalid("--url has no host", "url");
  return endpoint;
}

Result<BenchReport> run_bench(const BenchOptions& options) {
  OF_ASSIGN_OR_RETURN(Endpoint endpoint, parse_http_url(options.url));
  ScenarioOverrides overrides;
  overrides.rate_per_s = options.rate_per_s;
  overrides.duration_s = options.duration_s;
  overrides.connections = options.connections;
  if (options.mode == "open") {
    overrides.mode = LoadMode::kOpen;
  } else if (options.mode == "closed") {
    overrides.mode = LoadMode::kClosed;
  } else if (!options.mode.empty()) {
    return Status::invalid("--mode must be open or closed", "mode");
  }
  OF_ASSIGN_OR_RETURN(std::vector<Scenario> scenarios, parse_scenario_list(options.scenario, overrides));
  TrafficMix mix;
  mix.products = options.products;
  mix.zipf_exponent = options.zipf_exponent;
  mix.invalid_share = options.invalid_share;
  mix.decline_share = options.decline_share;
  mix.cancel_share = options.cancel_share;
  OF_RETURN_IF_ERROR(validate(mix));
  if (!(options.finish_timeout_s >= 0 && options.finish_timeout_s <= kDurationMaxS)) {
    return Status::invalid("--finish-timeout must be in 0..86400 s", "finish-timeout");
  }
  if (options.stock_per_product < 1 || options.stock_per_product > 1'000'000'000) {
    return Status::invalid("--stock must be in 1..10^9", "stock");
  }

  BenchReport report;
  report.label = options.label;
  report.url = options.url;
  report.started_at = format_iso8601(wall_ms());
  report.seed = options.seed;
  report.mix = mix;
  report.machine.cores = static_cast<int>(std::thread::hardware_concurrency());
  report.machine.cpu_model = cpu_model();
  report.machine.kernel = kernel_version();
  if (!options.fsync_dir.empty()) {
    OF_ASSIGN_OR_RETURN(double fsyncs, measure_fsyncs_per_s(options.fsync_dir, 2'000));
    report.machine.fsyncs_per_s = fsyncs;
    report.machine.fsync_dir = options.fsync_dir;
  }

  {
    net::HttpClient probe = make_client(endpoint);
    auto health = probe.get("/healthz");
    if (!health || health->status != 200) {
      return Status::unavailable("orderflow at " + options.url + " does not answer GET /healthz" +
                                 (health ? " (HTTP " + std::to_string(health->status) + ")"
                                         : ": " + health.status().message()));
    }
    if (!options.setup_catalog) {
      auto product = probe.get("/v1/products/" + bench_product_id(0));
      if (!product || product->status != 200) {
        progress(options, "warning: product " + bench_product_id(0) +
                              " is not in the catalog; pass --setup-catalog to load " + std::to_string(mix.products) +
                              " bench products");
      }
    }
  }
  if (options.setup_catalog) {
    progress(options, "loading " + std::to_string(mix.products) + " products");
    OF_RETURN_IF_ERROR(setup_catalog(endpoint, options));
  }
  for (size_t i = 0; i < scenarios.size(); ++i) {
    OF_ASSIGN_OR_RETURN(RunResult run, run_scenario(endpoint, options, mix, scenarios[i], static_cast<int>(i)));
    report.runs.push_back(std::move(run));
  }
  return report;
}

int run_bench_command(const BenchOptions& options) {
  auto report = run_bench(options);
  if (!report) {
    std::fprintf(stderr, "orderflow bench: %s\n", report.status().message().c_str());
    return 2;
  }
  std::fputs(format_table(*report).c_str(), stdout);
  std::fflush(stdout);
  auto write = [](const std::string& path, const std::string& text) {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << text;
    file.close();
    if (!file) std::fprintf(stderr, "orderflow bench: cannot write %s\n", path.c_str());
    return static_cast<bool>(file);
  };
  bool written = true;
  if (!options.report_path.empty()) written = write(options.report_path, report_json(*report)) && written;
  if (!options.svg_path.empty()) written = write(options.svg_path, render_svg(*report)) && written;
  bool healthy = written;
  for (const RunResult& run : report->runs) {
    if (run.unfinished > 0 || run.errors.count("transport") > 0 || run.errors.count("invalid_accepted") > 0) {
      healthy = false;
    }
    for (const auto& [kind, count] : run.errors) {
      if (kind.rfind("http_5", 0) == 0) healthy = false;
    }
  }
  return healthy ? 0 : 1;
}

}  // namespace of::loadgen
