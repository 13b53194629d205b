// Config: every setting orderflow reads, each with a default, bounds and a
// one-line description, checked at start-up (`orderflow config` prints them).
//
// Sources, later wins: built-in defaults, a JSON file (--config; nested objects
// or dotted keys, e.g. {"http": {"port": 8080}} or {"http.port": 8080}), then
// --set key=value flags. An unknown key or a value out of bounds is an error
// naming the key, never ignored.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "core/pricing.h"

namespace of::app {

struct Config {
  std::string data_dir = "var";

  std::string http_address = "0.0.0.0";
  int64_t http_port = 8080;
  int64_t http_io_threads = 2;
  int64_t http_body_bytes_max = 1 << 20;
  int64_t http_idle_timeout_ms = 60'000;
  int64_t http_connections_max = 10'000;
  int64_t sse_streams_max = 10'000;
  int64_t sse_keepalive_ms = 15'000;

  bool ratelimit_enabled = true;
  int64_t ratelimit_per_client_rps = 200;
  int64_t ratelimit_per_client_burst = 400;
  int64_t ratelimit_inflight_max = 10'000;

  std::string store_synchronous = "full";  // full | normal
  int64_t store_batch_units_max = 1024;
  int64_t store_queue_units_max = 100'000;
  int64_t store_readers = 4;
  int64_t store_commit_delay_us = 500;

  std::string catalog_currency = "USD";
  bool catalog_demo = true;

  int64_t inventory_reservation_ttl_ms = 15 * 60 * 1000;
  int64_t inventory_payment_extension_ms = 60 * 1000;
  int64_t inventory_low_stock_threshold = 10;

  int64_t payments_sim_latency_ms = 0;
  double payments_sim_decline_rate = 0.0;
  double payments_sim_transient_error_rate = 0.0;
  int64_t payments_charge_max_attempts = 6;
  int64_t payments_charge_base_backoff_ms = 200;
  int64_t payments_charge_max_backoff_ms = 10'000;
  std::string payments_gateway = "inprocess";  // inprocess | http
  std::string payments_gateway_url = "http://127.0.0.1:8090";
  int64_t payments_gateway_timeout_ms = 4'000;

  int64_t fulfillment_delivery_delay_ms = 2000;

  int64_t jobs_worker_threads = 16;
  int64_t bus_batch_max = 256;
  int64_t bus_retry_max_attempts = 8;
  int64_t bus_retry_base_backoff_ms = 100;
  int64_t bus_retry_max_backoff_ms = 30'000;

  int64_t retention_interval_ms = 60'000;
  int64_t retention_jobs_keep_ms = 24LL * 3'600'000;
  int64_t retention_inbox_keep_ms = 7LL * 24 * 3'600'000;
  int64_t idempotency_ttl_ms = 24LL * 3'600'000;

  std::string log_format = "json";  // json | text
  std::string log_level = "info";   // trace | debug | info | warn | error
  int64_t random_seed = 0;          // 0: seeded from the OS

  std::vector<core::TaxRule> tax_rules;
  std::vector<core::ShippingRule> shipping_rules;

  Config();  // fills the default tax and shipping tables
};

struct ConfigKey {
  std::string name;
  std::string description;
  std::string bounds;  // human-readable
  std::function<Status(Config&, const std::string& value)> set;
  std::function<std::string(const Config&)> get;
};

const std::vector<ConfigKey>& config_keys();

// Applies one key=value (value as text; for the two tables, a JSON array).
Status set_config_value(Config& config, const std::string& key, const std::string& value);
// Applies a JSON file.
Status load_config_file(Config& config, const std::string& path);
// Cross-key checks (e.g. the catalog currency is known).
Status validate(const Config& config);
// The table printed by `orderflow config`.
std::string describe(const Config& config);

}  // namespace of::app
