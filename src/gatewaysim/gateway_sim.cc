#include "gatewaysim/gateway_sim.h"

#include <curl/curl.h>
#include <signal.h>

#include <atomic>
#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "base/clock.h"
#include "base/log.h"
#include "base/random.h"
#include "crypto/signature.h"
#include "gatewaysim/ledger.h"
#include "net/http_server.h"

namespace of::gatewaysim {

namespace json = boost::json;

namespace {

constexpr int64_t kDelayMsMax = 600'000;
constexpr int64_t kWebhookTimeoutMs = 5'000;
constexpr int64_t kWebhookBackoffMs = 250;
// After the head of a "lost" response goes out, the connection is cut this
// much later, so the client sees a response that starts and never ends.
constexpr int64_t kDropAfterHeadMs = 20;

using SteadyTime = std::chrono::steady_clock::time_point;

// Runs closures at a time, on one thread: delayed answers never hold an I/O thread.
class Scheduler {
 public:
  Scheduler() : thread_([this] { run(); }) {}
  ~Scheduler() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  // Runs `task` after delay_ms (at once, on the caller's thread, when the queue is full).
  void after(int64_t delay_ms, std::function<void()> task) {
    if (delay_ms <= 0) return task();
    {
      std::unique_lock lock(mutex_);
      if (!stopping_ && tasks_.size() < kDelayedAnswersMax) {
        tasks_.emplace(std::chrono::steady_clock::now() + std::chrono::milliseconds(delay_ms), std::move(task));
        wake_.notify_one();
        return;
      }
    }
    task();
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    while (true) {
      if (stopping_) {
        // Answer what is still held, so no client waits for a dead simulator.
        auto tasks = std::move(tasks_);
        lock.unlock();
        for (auto& [due, task] : tasks) task();
        return;
      }
      if (tasks_.empty()) {
        wake_.wait(lock);
        continue;
      }
      auto first = tasks_.begin();
      if (first->first > std::chrono::steady_clock::now()) {
        wake_.wait_until(lock, first->first);
        continue;
      }
      auto task = std::move(first->second);
      tasks_.erase(first);
      lock.unlock();
      task();
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::multimap<SteadyTime, std::function<void()>> tasks_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after the members it uses
};

size_t discard_body(char*, size_t size, size_t count, void*) { return size * count; }

// Delivers webhook events, one at a time, best effort.
class WebhookSender {
 public:
  WebhookSender(std::string url, std::string secret) : url_(std::move(url)), secret_(std::move(secret)) {
    thread_ = std::thread([this] { run(); });
  }
  ~WebhookSender() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  void send(std::string event) {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= kWebhookQueueMax) {
      OF_LOG_WARN("gateway-sim: webhook queue full ({} events), dropping the oldest", kWebhookQueueMax);
      queue_.pop_front();
    }
    queue_.push_back(std::move(event));
    wake_.notify_one();
  }

 private:
  void run() {
    CURL* curl = curl_easy_init();
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      if (queue_.empty()) {
        wake_.wait(lock);
        continue;
      }
      std::string event = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      deliver(curl, event);
      lock.lock();
    }
    lock.unlock();
    if (curl) curl_easy_cleanup(curl);
  }

  void deliver(CURL* curl, const std::string& event) {
    if (!curl) return;
    for (int attempt = 1; attempt <= kWebhookAttemptsMax; ++attempt) {
      int64_t now_s =
          std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
      std::string signature =
          std::string(crypto::kSignatureHeader) + ": " + crypto::sign_webhook(secret_, now_s, event);
      curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
      headers = curl_slist_append(headers, signature.c_str());
      headers = curl_slist_append(headers, "Expect:");
      curl_easy_reset(curl);
      curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
      curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
      curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, event.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(event.size()));
      curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(kWebhookTimeoutMs));
      curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(kWebhookTimeoutMs));
      curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard_body);
      CURLcode code = curl_easy_perform(curl);
      long status = 0;
      curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
      curl_slist_free_all(headers);
      if (code == CURLE_OK && status >= 200 && status < 300) return;
      OF_LOG_WARN("gateway-sim: webhook attempt {} to {} failed: {} (HTTP {})", attempt, url_, curl_easy_strerror(code),
                  status);
      std::unique_lock lock(mutex_);
      if (wake_.wait_for(lock, std::chrono::milliseconds(kWebhookBackoffMs << (attempt - 1)),
                         [this] { return stopping_; })) {
        return;
      }
    }
  }

  const std::string url_;
  const std::string secret_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::string> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

std::string api_error(std::string_view type, std::string_view code, std::string_view message) {
  return json::serialize(json::object{{"error", {{"type", type}, {"code", code}, {"message", message}}}});
}

json::object faults_json(const FaultOptions& faults) {
  return {{"latency_ms_min", faults.latency_ms_min},
          {"latency_ms_max", faults.latency_ms_max},
          {"error_rate", faults.error_rate},
          {"timeout_rate", faults.timeout_rate},
          {"lost_response_rate", faults.lost_response_rate},
          {"timeout_hold_ms", faults.timeout_hold_ms},
          {"lost_response_delay_ms", faults.lost_response_delay_ms}};
}

Status update_faults(const json::object& object, FaultOptions& faults) {
  for (const auto& [key, value] : object) {
    auto as_number = [&value]() -> std::optional<double> {
      if (value.is_double()) return value.as_double();
      if (value.is_int64()) return static_cast<double>(value.as_int64());
      if (value.is_uint64()) return static_cast<double>(value.as_uint64());
      return std::nullopt;
    };
    auto number = as_number();
    if (!number) return Status::invalid(std::string(key) + " must be a number", std::string(key));
    auto as_ms = [&] { return static_cast<int64_t>(*number); };
    if (key == "latency_ms_min")
      faults.latency_ms_min = as_ms();
    else if (key == "latency_ms_max")
      faults.latency_ms_max = as_ms();
    else if (key == "error_rate")
      faults.error_rate = *number;
    else if (key == "timeout_rate")
      faults.timeout_rate = *number;
    else if (key == "lost_response_rate")
      faults.lost_response_rate = *number;
    else if (key == "timeout_hold_ms")
      faults.timeout_hold_ms = as_ms();
    else if (key == "lost_response_delay_ms")
      faults.lost_response_delay_ms = as_ms();
    else
      return Status::invalid("unknown fault setting " + std::string(key), std::string(key));
  }
  return validate(faults);
}

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

}  // namespace

Status validate(const FaultOptions& faults) {
  for (double rate : {faults.error_rate, faults.timeout_rate, faults.lost_response_rate}) {
    if (!(rate >= 0.0 && rate <= 1.0)) return Status::invalid("fault rates must be between 0 and 1");
  }
  if (faults.error_rate + faults.timeout_rate > 1.0) {
    return Status::invalid("error_rate + timeout_rate must not exceed 1");
  }
  for (int64_t ms :
       {faults.latency_ms_min, faults.latency_ms_max, faults.timeout_hold_ms, faults.lost_response_delay_ms}) {
    if (ms < 0 || ms > kDelayMsMax) {
      return Status::invalid("fault delays must be 0.." + std::to_string(kDelayMsMax) + " ms");
    }
  }
  if (faults.latency_ms_min > faults.latency_ms_max) {
    return Status::invalid("latency_ms_min must not exceed latency_ms_max");
  }
  return Status::ok();
}

Status parse_latency(const std::string& text, FaultOptions& faults) {
  auto parse = [](std::string_view part, int64_t* out) {
    auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), *out);
    return !part.empty() && error == std::errc() && end == part.data() + part.size();
  };
  size_t dots = text.find("..");
  int64_t low = 0, high = 0;
  bool ok = dots == std::string::npos ? parse(text, &low) && (high = low, true)
                                      : parse(std::string_view(text).substr(0, dots), &low) &&
                                            parse(std::string_view(text).substr(dots + 2), &high);
  if (!ok) return Status::invalid("--latency-ms expects N or MIN..MAX milliseconds, got '" + text + "'");
  faults.latency_ms_min = low;
  faults.latency_ms_max = high;
  return validate(faults);
}

class GatewaySim::Impl {
 public:
  explicit Impl(GatewaySimOptions options)
      : options_(std::move(options)),
        random_(options_.seed ? options_.seed : Random::seed_from_os()),
        faults_(options_.faults),
        ledger_(clock_, options_.data_dir.empty()
                            ? std::string()
                            : (std::filesystem::path(options_.data_dir) / "gateway-sim-ledger.jsonl").string()) {}

  Status start() {
    OF_RETURN_IF_ERROR(validate(options_.faults));
    if (!options_.webhook_url.empty() && options_.webhook_secret.empty()) {
      return Status::invalid("a webhook URL needs a webhook secret");
    }
    if (!options_.data_dir.empty()) {
      std::error_code error;
      std::filesystem::create_directories(options_.data_dir, error);
      if (error) return Status::unavailable("cannot create " + options_.data_dir + ": " + error.message());
    }
    OF_RETURN_IF_ERROR(ledger_.open());
    static std::once_flag curl_once;
    std::call_once(curl_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    scheduler_ = std::make_unique<Scheduler>();
    if (!options_.webhook_url.empty()) {
      webhooks_ = std::make_unique<WebhookSender>(options_.webhook_url, options_.webhook_secret);
    }
    net::HttpServerOptions http;
    http.address = options_.address;
    http.port = options_.port;
    http.io_threads = options_.io_threads;
    http.body_bytes_max = 64 << 10;
    server_ = std::make_unique<net::HttpServer>(
        http, [this](net::HttpRequest request, std::shared_ptr<net::Responder> responder) {
          handle(std::move(request), std::move(responder));
        });
    return server_->start();
  }

  uint16_t port() const { return server_ ? server_->port() : 0; }

  void stop() {
    // No request arrives after the server stops; then the scheduler runs what
    // it still holds (answers to closed connections go nowhere).
    if (server_) server_->stop();
    scheduler_.reset();
    webhooks_.reset();
  }

  void set_faults(const FaultOptions& faults) {
    std::lock_guard lock(mutex_);
    faults_ = faults;
  }

 private:
  FaultOptions faults() {
    std::lock_guard lock(mutex_);
    return faults_;
  }

  static net::HttpResponse to_response(const Answer& answer) {
    return {answer.status, "application/json", {}, answer.body};
  }

  void deliver_events(const Answer& answer) {
    if (!webhooks_) return;
    for (const auto& event : answer.events) webhooks_->send(event);
  }

  Answer route(const net::HttpRequest& request) {
    const std::string& path = request.path;
    const bool post = request.method == "POST";
    const bool get = request.method == "GET";
    std::string key(request.header("Idempotency-Key"));
    if (path == "/v1/tokens" && post) return ledger_.create_token(request.body);
    if (path == "/v1/payment_intents") {
      if (post) return ledger_.create_payment_intent(key, request.body);
      if (get && request.has_query_param("idempotency_key")) {
        return ledger_.find_payment_intent_by_key(request.query_param("idempotency_key"));
      }
      return {400, api_error("invalid_request_error", "parameter_missing", "GET needs ?idempotency_key="), false, {}};
    }
    constexpr std::string_view kIntents = "/v1/payment_intents/";
    if (starts_with(path, kIntents)) {
      std::string_view rest = std::string_view(path).substr(kIntents.size());
      size_t slash = rest.find('/');
      if (slash == std::string_view::npos && get) return ledger_.get_payment_intent(rest);
      if (slash != std::string_view::npos && rest.substr(slash) == "/capture" && post) {
        return ledger_.capture_payment_intent(rest.substr(0, slash), request.body);
      }
    }
    if (path == "/v1/refunds") {
      if (post) return ledger_.create_refund(key, request.body);
      if (get && request.has_query_param("idempotency_key")) {
        return ledger_.find_refund_by_key(request.query_param("idempotency_key"));
      }
    }
    return {404,
            api_error("invalid_request_error", "resource_missing", "no route " + request.method + " " + path),
            false,
            {}};
  }

  net::HttpResponse admin(const net::HttpRequest& request) {
    if (request.path == "/admin/ledger" && request.method == "GET")
      return {200, "application/json", {}, ledger_.ledger_json()};
    if (request.path == "/admin/faults" && request.method == "GET") {
      json::object body = faults_json(faults());
      body["injected"] = {{"requests", injected_requests_.load()},
                          {"errors", injected_errors_.load()},
                          {"timeouts", injected_timeouts_.load()},
                          {"lost_responses", injected_lost_.load()}};
      return {200, "application/json", {}, json::serialize(body)};
    }
    if (request.path == "/admin/faults" && request.method == "POST") {
      boost::system::error_code error;
      json::value value = json::parse(request.body, error);
      if (error || !value.is_object()) {
        return {400,
                "application/json",
                {},
                api_error("invalid_request_error", "parameter_invalid", "a JSON object is expected")};
      }
      std::lock_guard lock(mutex_);
      FaultOptions updated = faults_;
      Status status = update_faults(value.as_object(), updated);
      if (!status.is_ok()) {
        return {400, "application/json", {}, api_error("invalid_request_error", "parameter_invalid", status.message())};
      }
      faults_ = updated;
      OF_LOG_INFO("gateway-sim: faults now {}", json::serialize(faults_json(faults_)));
      return {200, "application/json", {}, json::serialize(faults_json(faults_))};
    }
    return {404, "application/json", {}, api_error("invalid_request_error", "resource_missing", "no such admin route")};
  }

  void later(int64_t delay_ms, std::function<void()> task) { scheduler_->after(delay_ms, std::move(task)); }

  void handle(net::HttpRequest request, std::shared_ptr<net::Responder> responder) {
    if (starts_with(request.path, "/admin/")) return responder->respond(admin(request));
    if (!starts_with(request.path, "/v1/")) {
      return responder->respond(
          {404, "application/json", {}, api_error("invalid_request_error", "resource_missing", "not found")});
    }
    const FaultOptions f = faults();
    const double draw = random_.unit();
    const int64_t latency_ms =
        f.latency_ms_min +
        static_cast<int64_t>(random_.uniform(static_cast<uint64_t>(f.latency_ms_max - f.latency_ms_min) + 1));
    const bool post = request.method == "POST";
    ++injected_requests_;
    if (draw < f.error_rate) {
      ++injected_errors_;
      return later(latency_ms, [responder] {
        responder->respond({500, "application/json", {}, api_error("api_error", "simulated_error", "simulated 500")});
      });
    }
    if (draw < f.error_rate + f.timeout_rate) {
      ++injected_timeouts_;
      if (post && random_.unit() < 0.5) deliver_events(route(request));
      return later(f.timeout_hold_ms, [responder] {
        responder->respond(
            {504, "application/json", {}, api_error("api_error", "simulated_timeout", "simulated timeout")});
      });
    }
    Answer answer = route(request);
    deliver_events(answer);
    const bool processed = answer.status == 200 || answer.status == 402;
    const bool lose = post && processed &&
                      (answer.lose_response || (f.lost_response_rate > 0 && random_.unit() < f.lost_response_rate));
    if (!lose) {
      return later(latency_ms,
                   [responder, response = to_response(answer)]() mutable { responder->respond(std::move(response)); });
    }
    ++injected_lost_;
    if (random_.unit() < 0.5) {
      return later(latency_ms + f.lost_response_delay_ms, [responder] {
        responder->respond({500,
                            "application/json",
                            {},
                            api_error("api_error", "simulated_lost_response", "simulated 500 after the charge")});
      });
    }
    later(latency_ms + f.lost_response_delay_ms, [scheduler = scheduler_.get(), responder] {
      auto stream = responder->start_stream({200, "application/json", {}, {}});
      scheduler->after(kDropAfterHeadMs, [stream] { stream->close(); });
    });
  }

  const GatewaySimOptions options_;
  SystemClock clock_;
  Random random_;
  std::mutex mutex_;
  FaultOptions faults_;  // guarded by mutex_
  // Since start, shown by GET /admin/faults so tests can see faults happened.
  std::atomic<int64_t> injected_requests_{0}, injected_errors_{0}, injected_timeouts_{0}, injected_lost_{0};
  Ledger ledger_;
  std::unique_ptr<WebhookSender> webhooks_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<net::HttpServer> server_;
};

GatewaySim::GatewaySim(GatewaySimOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
GatewaySim::~GatewaySim() { stop(); }
Status GatewaySim::start() { return impl_->start(); }
uint16_t GatewaySim::port() const { return impl_->port(); }
void GatewaySim::stop() { impl_->stop(); }
void GatewaySim::set_faults(const FaultOptions& faults) { impl_->set_faults(faults); }

int run_gateway_sim_until_signal(const GatewaySimOptions& options) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  GatewaySim sim(options);
  Status started = sim.start();
  if (!started.is_ok()) {
    OF_LOG_ERROR("gateway-sim could not start: {}", started.to_string());
    return 1;
  }
  OF_LOG_INFO("gateway-sim listening on http://{}:{} (ledger in {})", options.address, sim.port(),
              options.data_dir.empty() ? std::string("memory") : options.data_dir);
  int received = 0;
  sigwait(&signals, &received);
  OF_LOG_INFO("gateway-sim: signal {} received, stopping", received);
  sim.stop();
  return 0;
}

}  // namespace of::gatewaysim
