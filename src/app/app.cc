#include "app/app.h"

#include <algorithm>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>

#include "base/log.h"
#include "base/random.h"
#include "bus/embedded/embedded_bus.h"
#include "gateway/api.h"
#include "gateway/rate_limiter.h"
#include "gateway/status_hub.h"
#include "jobs/job_runner.h"
#include "metrics/process_collector.h"
#include "metrics/system_collector.h"
#include "net/http_server.h"
#include "providers/http_gateway.h"
#include "providers/log_channel.h"
#include "providers/simulated_carrier.h"
#include "providers/simulated_gateway.h"
#include "services/catalog/catalog_service.h"
#include "services/fulfillment/fulfillment_service.h"
#include "services/inventory/inventory_service.h"
#include "services/notifications/notification_service.h"
#include "services/orders/order_service.h"
#include "services/payments/payment_service.h"
#include "services/retention/retention.h"
#include "store/sqlite/sqlite_store.h"

namespace of::app {

namespace {

struct DemoProduct {
  const char* id;
  const char* name;
  int64_t price_minor;
  const char* tax_class;
  int64_t on_hand;
};

// A small shop, enough to place orders by hand right after `make run`.
constexpr DemoProduct kDemoCatalog[] = {
    {"sku-mug", "Stoneware mug", 1299, "standard", 500},
    {"sku-tee", "Organic cotton T-shirt", 2499, "standard", 500},
    {"sku-beans", "Coffee beans, 1 kg", 3200, "reduced", 1000},
    {"sku-poster", "Limited poster", 4500, "standard", 10},
    {"sku-ebook", "Field guide (e-book)", 999, "exempt", 100000},
    {"sku-kettle", "Gooseneck kettle", 8900, "standard", 200},
};

}  // namespace

struct App::Parts {
  SystemClock clock;
  std::unique_ptr<Random> random;
  std::unique_ptr<UuidV7Generator> ids;
  std::unique_ptr<services::ServiceContext> context;
  std::unique_ptr<metrics::Registry> metrics;  // before the store: its commit listener observes into it
  std::unique_ptr<store::SqliteStore> store;
  std::unique_ptr<bus::EmbeddedBus> bus;
  std::unique_ptr<jobs::JobRunner> jobs;
  std::unique_ptr<services::PaymentGateway> payment_gateway;  // per payments.gateway
  providers::SimulatedCarrier carrier;
  providers::LogChannel log_channel;
  std::unique_ptr<services::CatalogService> catalog;
  std::unique_ptr<services::OrderService> orders;
  std::unique_ptr<services::InventoryService> inventory;
  std::unique_ptr<services::PaymentService> payments;
  std::unique_ptr<services::FulfillmentService> fulfillment;
  std::unique_ptr<services::NotificationService> notifications;
  std::unique_ptr<services::Retention> retention;
  std::unique_ptr<gateway::StatusHub> status_hub;
  std::unique_ptr<gateway::RateLimiter> rate_limiter;
  std::unique_ptr<gateway::Api> api;
  std::unique_ptr<net::HttpServer> http;
  int lock_fd = -1;  // flock on <data_dir>/orderflow.lock while this process owns the directory
  bool started = false;

  ~Parts() {
    if (lock_fd >= 0) ::close(lock_fd);
  }
};

App::App(Config config) : config_(std::move(config)), parts_(std::make_unique<Parts>()) {}

App::~App() { stop(); }

uint16_t App::http_port() const { return parts_->http ? parts_->http->port() : 0; }

Status App::start() {
  OF_RETURN_IF_ERROR(validate(config_));
  Parts& p = *parts_;
  std::error_code error;
  std::filesystem::create_directories(config_.data_dir, error);
  if (error) return Status::unavailable("cannot create data directory " + config_.data_dir + ": " + error.message());
  // One process per data directory: two would both run the jobs and fight
  // over the writer lock. The kernel drops the lock when the process dies,
  // even by kill -9.
  const std::string lock_path = (std::filesystem::path(config_.data_dir) / "orderflow.lock").string();
  p.lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (p.lock_fd < 0) return Status::unavailable("cannot open " + lock_path + ": " + std::strerror(errno));
  if (::flock(p.lock_fd, LOCK_EX | LOCK_NB) != 0) {
    return Status::unavailable("another orderflow process is using the data directory " + config_.data_dir +
                               "; stop it or choose another --data-dir");
  }

  p.random = std::make_unique<Random>(config_.random_seed ? static_cast<uint64_t>(config_.random_seed)
                                                          : Random::seed_from_os());
  p.ids = std::make_unique<UuidV7Generator>(p.clock, *p.random);
  p.context = std::make_unique<services::ServiceContext>(services::ServiceContext{p.clock, *p.random, *p.ids});
  auto currency = core::Currency::parse(config_.catalog_currency).value();

  store::SqliteStoreOptions store_options;
  store_options.path = (std::filesystem::path(config_.data_dir) / "orderflow.db").string();
  store_options.synchronous_full = config_.store_synchronous == "full";
  store_options.batch_units_max = static_cast<int>(config_.store_batch_units_max);
  store_options.queue_units_max = static_cast<int>(config_.store_queue_units_max);
  store_options.readers = static_cast<int>(config_.store_readers);
  store_options.commit_delay_us = config_.store_commit_delay_us;
  p.store = std::make_unique<store::SqliteStore>(store_options);

  p.status_hub = std::make_unique<gateway::StatusHub>(*p.store, config_.sse_keepalive_ms,
                                                      static_cast<size_t>(config_.sse_streams_max));
  p.store->add_commit_listener([hub = p.status_hub.get()](const store::CommitInfo& commit) { hub->on_commit(commit); });

  bus::EmbeddedBusOptions bus_options;
  bus_options.batch_max = static_cast<int>(config_.bus_batch_max);
  p.bus = std::make_unique<bus::EmbeddedBus>(*p.store, p.clock, *p.random, bus_options);
  jobs::JobRunnerOptions job_options;
  job_options.worker_threads = static_cast<int>(config_.jobs_worker_threads);
  // The data directory lock makes this process the store's only job runner.
  job_options.reclaim_running_at_start = true;
  p.jobs = std::make_unique<jobs::JobRunner>(*p.store, p.clock, *p.random, job_options);

  p.metrics = std::make_unique<metrics::Registry>();
  metrics::add_process_collector(*p.metrics);
  metrics::add_system_collector(
      *p.metrics,
      metrics::SystemSources{*p.store, *p.bus, *p.jobs,
                             [hub = p.status_hub.get()] { return static_cast<int64_t>(hub->stream_count()); },
                             [&p] { return static_cast<int64_t>(p.http ? p.http->active_connections() : 0); }});

  if (config_.payments_gateway == "http") {
    providers::HttpGatewayOptions http_gateway_options;
    http_gateway_options.base_url = config_.payments_gateway_url;
    http_gateway_options.timeout_ms = config_.payments_gateway_timeout_ms;
    http_gateway_options.connect_timeout_ms = std::min<int64_t>(2'000, config_.payments_gateway_timeout_ms);
    http_gateway_options.pool_max = static_cast<int>(config_.jobs_worker_threads);
    p.payment_gateway = std::make_unique<providers::HttpPaymentGateway>(http_gateway_options);
  } else {
    providers::SimulatedGatewayOptions gateway_options;
    gateway_options.latency_ms = config_.payments_sim_latency_ms;
    gateway_options.decline_rate = config_.payments_sim_decline_rate;
    gateway_options.transient_error_rate = config_.payments_sim_transient_error_rate;
    gateway_options.ledger_path = (std::filesystem::path(config_.data_dir) / "gateway-ledger.jsonl").string();
    p.payment_gateway = std::make_unique<providers::SimulatedGateway>(*p.random, gateway_options);
  }
  OF_RETURN_IF_ERROR(p.log_channel.open((std::filesystem::path(config_.data_dir) / "notifications.log").string()));

  services::OrderServiceOptions order_options{currency, core::TaxTable(config_.tax_rules),
                                              core::ShippingTable(config_.shipping_rules), config_.idempotency_ttl_ms};
  p.catalog = std::make_unique<services::CatalogService>(*p.store, *p.context, currency);
  p.orders = std::make_unique<services::OrderService>(*p.store, *p.context, std::move(order_options));
  services::InventoryOptions inventory_options;
  inventory_options.reservation_ttl_ms = config_.inventory_reservation_ttl_ms;
  inventory_options.payment_extension_ms = config_.inventory_payment_extension_ms;
  inventory_options.low_stock_threshold = config_.inventory_low_stock_threshold;
  p.inventory = std::make_unique<services::InventoryService>(*p.store, *p.context, inventory_options);
  services::PaymentOptions payment_options;
  payment_options.charge_max_attempts = static_cast<int>(config_.payments_charge_max_attempts);
  payment_options.charge_base_backoff_ms = config_.payments_charge_base_backoff_ms;
  payment_options.charge_max_backoff_ms = config_.payments_charge_max_backoff_ms;
  // An HTTP charge may take a request and an outcome lookup, each up to the
  // gateway timeout: the job's lease must outlast both, or a slow attempt is
  // claimed again while it still runs.
  payment_options.charge_timeout_ms =
      std::max<int64_t>(payment_options.charge_timeout_ms, 2 * config_.payments_gateway_timeout_ms + 1'000);
  p.payments = std::make_unique<services::PaymentService>(*p.context, *p.payment_gateway, payment_options);
  p.fulfillment = std::make_unique<services::FulfillmentService>(
      *p.context, p.carrier,
      services::FulfillmentOptions{config_.fulfillment_delivery_delay_ms, config_.inventory_low_stock_threshold});
  p.notifications = std::make_unique<services::NotificationService>(*p.context);
  p.notifications->add_channel(p.log_channel);

  bus::RetryPolicy retry{static_cast<int>(config_.bus_retry_max_attempts), config_.bus_retry_base_backoff_ms,
                         config_.bus_retry_max_backoff_ms};
  p.inventory->register_with(*p.bus, *p.jobs, retry);
  p.payments->register_with(*p.bus, *p.jobs, retry);
  p.fulfillment->register_with(*p.bus, *p.jobs, retry);
  p.notifications->register_with(*p.bus, *p.jobs, retry);

  OF_RETURN_IF_ERROR(p.store->start());
  if (config_.catalog_demo) {
    const TimeMs now = p.clock.now_ms();
    OF_RETURN_IF_ERROR(p.store->write([&](store::Tx& tx) -> Status {
      OF_ASSIGN_OR_RETURN(auto existing, tx.list_products(std::nullopt, 1));
      if (!existing.empty()) return Status::ok();  // a shop's own catalog is never touched
      for (const auto& demo : kDemoCatalog) {
        core::Product product{Sku(demo.id), demo.name, demo.price_minor, currency, demo.tax_class, now};
        OF_RETURN_IF_ERROR(services::CatalogService::seed(tx, product, demo.on_hand));
      }
      OF_LOG_INFO("loaded the demo catalog ({} products)", std::size(kDemoCatalog));
      return Status::ok();
    }));
  }
  OF_RETURN_IF_ERROR(p.bus->start());
  OF_RETURN_IF_ERROR(p.jobs->start());
  p.status_hub->start();
  p.retention = std::make_unique<services::Retention>(
      *p.store, p.clock,
      services::RetentionOptions{config_.retention_interval_ms, config_.retention_jobs_keep_ms,
                                 config_.retention_inbox_keep_ms, 1000, config_.idempotency_ttl_ms});
  p.retention->start();

  gateway::RateLimitOptions rate_limit_options;
  rate_limit_options.enabled = config_.ratelimit_enabled;
  rate_limit_options.per_client_rps = config_.ratelimit_per_client_rps;
  rate_limit_options.per_client_burst = config_.ratelimit_per_client_burst;
  rate_limit_options.inflight_max = config_.ratelimit_inflight_max;
  p.rate_limiter = std::make_unique<gateway::RateLimiter>(rate_limit_options, p.context->clock);
  p.api = std::make_unique<gateway::Api>(gateway::ApiDependencies{
      *p.store, *p.bus, *p.jobs, *p.context, *p.orders, *p.catalog, *p.inventory, *p.status_hub, p.metrics.get(),
      p.payments.get(), p.rate_limiter.get()});
  net::HttpServerOptions http_options;
  http_options.address = config_.http_address;
  http_options.port = static_cast<uint16_t>(config_.http_port);
  http_options.io_threads = static_cast<int>(config_.http_io_threads);
  http_options.body_bytes_max = config_.http_body_bytes_max;
  http_options.idle_timeout_ms = config_.http_idle_timeout_ms;
  http_options.connections_max = static_cast<int>(config_.http_connections_max);
  p.http = std::make_unique<net::HttpServer>(
      http_options, [api = p.api.get()](net::HttpRequest request, std::shared_ptr<net::Responder> responder) {
        api->handle(std::move(request), std::move(responder));
      });
  OF_RETURN_IF_ERROR(p.http->start());
  p.api->set_ready(true);
  p.started = true;
  OF_LOG_INFO("orderflow listening on http://{}:{} (data in {}, synchronous={})", config_.http_address,
              p.http->port(), config_.data_dir, config_.store_synchronous);
  return Status::ok();
}

void App::stop() {
  Parts& p = *parts_;
  if (p.api) p.api->set_ready(false);
  if (p.http) p.http->stop();
  if (p.status_hub) p.status_hub->stop();
  if (p.retention) p.retention->stop();
  if (p.jobs) p.jobs->stop();
  if (p.bus) p.bus->stop();
  if (p.store) p.store->stop();
  if (p.started) OF_LOG_INFO("orderflow stopped");
  p.started = false;
}

int App::run_until_signal() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  int received = 0;
  sigwait(&signals, &received);
  OF_LOG_INFO("signal {} received, stopping", received);
  stop();
  return 0;
}

}  // namespace of::app
