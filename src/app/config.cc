#include "app/config.h"

#include <boost/json.hpp>

#include <charconv>
#include <fstream>
#include <sstream>

#include "core/money.h"

namespace of::app {

namespace {

Status parse_int(const std::string& key, const std::string& text, int64_t min, int64_t max, int64_t* out) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return Status::invalid("config " + key + ": '" + text + "' is not an integer", key);
  }
  if (value < min || value > max) {
    return Status::invalid("config " + key + ": " + text + " is outside " + std::to_string(min) + ".." +
                               std::to_string(max),
                           key);
  }
  *out = value;
  return Status::ok();
}

ConfigKey int_key(std::string name, std::string description, int64_t Config::*field, int64_t min, int64_t max) {
  std::string bounds = std::to_string(min) + ".." + std::to_string(max);
  return {name, std::move(description), bounds,
          [name, field, min, max](Config& config, const std::string& value) {
            return parse_int(name, value, min, max, &(config.*field));
          },
          [field](const Config& config) { return std::to_string(config.*field); }};
}

ConfigKey rate_key(std::string name, std::string description, double Config::*field) {
  return {name, std::move(description), "0..1",
          [name, field](Config& config, const std::string& value) -> Status {
            char* end = nullptr;
            double parsed = std::strtod(value.c_str(), &end);
            if (value.empty() || *end != '\0' || !(parsed >= 0.0 && parsed <= 1.0)) {
              return Status::invalid("config " + name + ": '" + value + "' is not a number between 0 and 1", name);
            }
            config.*field = parsed;
            return Status::ok();
          },
          [field](const Config& config) {
            std::ostringstream out;
            out << config.*field;
            return out.str();
          }};
}

ConfigKey choice_key(std::string name, std::string description, std::string Config::*field,
                     std::vector<std::string> choices) {
  std::string bounds;
  for (const auto& choice : choices) bounds += (bounds.empty() ? "" : "|") + choice;
  return {name, std::move(description), bounds,
          [name, field, choices, bounds](Config& config, const std::string& value) -> Status {
            for (const auto& choice : choices) {
              if (value == choice) {
                config.*field = value;
                return Status::ok();
              }
            }
            return Status::invalid("config " + name + ": '" + value + "' is not one of " + bounds, name);
          },
          [field](const Config& config) { return config.*field; }};
}

ConfigKey text_key(std::string name, std::string description, std::string Config::*field, size_t length_max) {
  return {name, std::move(description), "1.." + std::to_string(length_max) + " characters",
          [name, field, length_max](Config& config, const std::string& value) -> Status {
            if (value.empty() || value.size() > length_max) {
              return Status::invalid("config " + name + " must be 1.." + std::to_string(length_max) + " characters",
                                     name);
            }
            config.*field = value;
            return Status::ok();
          },
          [field](const Config& config) { return config.*field; }};
}

Result<boost::json::array> parse_array(const std::string& key, const std::string& text) {
  boost::system::error_code error;
  auto value = boost::json::parse(text, error);
  if (error || !value.is_array()) return Status::invalid("config " + key + " must be a JSON array", key);
  return value.as_array();
}

std::string string_of(const boost::json::object& object, std::string_view name) {
  auto* value = object.if_contains(name);
  return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

Result<int64_t> int_of(const std::string& key, const boost::json::object& object, std::string_view name,
                       int64_t max) {
  auto* value = object.if_contains(name);
  if (!value) return int64_t{0};
  if (!value->is_int64() || value->as_int64() < 0 || value->as_int64() > max) {
    return Status::invalid("config " + key + ": " + std::string(name) + " must be an integer 0.." +
                               std::to_string(max),
                           key);
  }
  return value->as_int64();
}

ConfigKey tax_key() {
  const std::string name = "tax.rules";
  return {name,
          "tax rates: [{\"country\":\"US\",\"region\":\"CA\",\"taxClass\":\"standard\",\"rateBp\":725}, ...]; the "
          "most specific rule wins",
          "JSON array, rateBp 0..10000",
          [name](Config& config, const std::string& value) -> Status {
            OF_ASSIGN_OR_RETURN(auto array, parse_array(name, value));
            std::vector<core::TaxRule> rules;
            for (const auto& item : array) {
              if (!item.is_object()) return Status::invalid("config tax.rules: each rule is an object", name);
              const auto& object = item.as_object();
              core::TaxRule rule;
              rule.country = string_of(object, "country");
              rule.region = string_of(object, "region");
              rule.tax_class = string_of(object, "taxClass");
              OF_ASSIGN_OR_RETURN(rule.rate_bp, int_of(name, object, "rateBp", 10'000));
              if (rule.country.size() != 2) return Status::invalid("config tax.rules: country must be 2 letters", name);
              rules.push_back(rule);
            }
            config.tax_rules = std::move(rules);
            return Status::ok();
          },
          [](const Config& config) {
            boost::json::array array;
            for (const auto& rule : config.tax_rules) {
              array.push_back({{"country", rule.country},
                               {"region", rule.region},
                               {"taxClass", rule.tax_class},
                               {"rateBp", rule.rate_bp}});
            }
            return boost::json::serialize(array);
          }};
}

ConfigKey shipping_key() {
  const std::string name = "shipping.rules";
  return {name,
          "shipping per country: [{\"country\":\"US\",\"flat\":599,\"freeAtOrAbove\":5000}, {\"country\":\"*\",...}]",
          "JSON array, amounts in minor units",
          [name](Config& config, const std::string& value) -> Status {
            OF_ASSIGN_OR_RETURN(auto array, parse_array(name, value));
            std::vector<core::ShippingRule> rules;
            for (const auto& item : array) {
              if (!item.is_object()) return Status::invalid("config shipping.rules: each rule is an object", name);
              const auto& object = item.as_object();
              core::ShippingRule rule;
              rule.country = string_of(object, "country");
              OF_ASSIGN_OR_RETURN(rule.flat_minor, int_of(name, object, "flat", 100'000'000));
              OF_ASSIGN_OR_RETURN(rule.free_at_or_above_minor,
                                  int_of(name, object, "freeAtOrAbove", core::kAmountMinorMax));
              if (rule.country.empty()) return Status::invalid("config shipping.rules: country is required", name);
              rules.push_back(rule);
            }
            config.shipping_rules = std::move(rules);
            return Status::ok();
          },
          [](const Config& config) {
            boost::json::array array;
            for (const auto& rule : config.shipping_rules) {
              array.push_back(
                  {{"country", rule.country}, {"flat", rule.flat_minor}, {"freeAtOrAbove", rule.free_at_or_above_minor}});
            }
            return boost::json::serialize(array);
          }};
}

std::vector<ConfigKey> make_keys() {
  std::vector<ConfigKey> keys;
  keys.push_back(text_key("data_dir", "directory for the database, WAL and notification log", &Config::data_dir, 4096));
  keys.push_back(text_key("http.address", "address the HTTP server listens on", &Config::http_address, 255));
  keys.push_back(int_key("http.port", "HTTP port (0: any free port)", &Config::http_port, 0, 65535));
  keys.push_back(int_key("http.io_threads", "threads serving HTTP", &Config::http_io_threads, 1, 64));
  keys.push_back(int_key("http.body_bytes_max", "largest request body accepted (413 beyond)",
                         &Config::http_body_bytes_max, 1024, 64 << 20));
  keys.push_back(int_key("http.idle_timeout_ms", "idle keep-alive connections are closed after this",
                         &Config::http_idle_timeout_ms, 100, 3'600'000));
  keys.push_back(int_key("http.connections_max", "open connections beyond this get 503",
                         &Config::http_connections_max, 1, 1'000'000));
  keys.push_back(int_key("sse.streams_max", "open order status streams at most", &Config::sse_streams_max, 1,
                         1'000'000));
  keys.push_back(int_key("sse.keepalive_ms", "keep-alive comment interval on status streams",
                         &Config::sse_keepalive_ms, 100, 600'000));
  keys.push_back({"ratelimit.enabled",
                  "per-client token buckets (429) and the in-flight cap (503) on every route; /healthz, /readyz and "
                  "/metrics are never limited",
                  "true|false",
                  [](Config& config, const std::string& value) -> Status {
                    if (value != "true" && value != "false") {
                      return Status::invalid("config ratelimit.enabled must be true or false", "ratelimit.enabled");
                    }
                    config.ratelimit_enabled = value == "true";
                    return Status::ok();
                  },
                  [](const Config& config) { return std::string(config.ratelimit_enabled ? "true" : "false"); }});
  keys.push_back(int_key("ratelimit.per_client_rps", "requests per second one client address may sustain",
                         &Config::ratelimit_per_client_rps, 1, 1'000'000));
  keys.push_back(int_key("ratelimit.per_client_burst", "requests one client address may send at once (bucket size)",
                         &Config::ratelimit_per_client_burst, 1, 10'000'000));
  keys.push_back(int_key("ratelimit.inflight_max", "requests being answered at once, all clients together (503 beyond)",
                         &Config::ratelimit_inflight_max, 1, 1'000'000));
  keys.push_back(choice_key("store.synchronous",
                            "full: every commit is fsynced before it is acknowledged; normal: faster, may lose the "
                            "last commits on power loss (never on a process crash)",
                            &Config::store_synchronous, {"full", "normal"}));
  keys.push_back(int_key("store.batch_units_max", "units of work sharing one commit at most",
                         &Config::store_batch_units_max, 1, 100'000));
  keys.push_back(int_key("store.queue_units_max", "queued units of work beyond this are refused (429)",
                         &Config::store_queue_units_max, 16, 10'000'000));
  keys.push_back(int_key("store.readers", "read-only database connections", &Config::store_readers, 1, 64));
  keys.push_back(int_key("store.commit_delay_us",
                         "a small batch waits up to this long for more work before its commit: fewer fsyncs "
                         "per order at low load, at most this much added latency",
                         &Config::store_commit_delay_us, 0, 100'000));
  keys.push_back(text_key("catalog.currency", "the one currency of the catalog (ISO 4217)",
                          &Config::catalog_currency, 3));
  keys.push_back({"catalog.demo", "load the demo catalog with stock into an empty store on start", "true|false",
                  [](Config& config, const std::string& value) -> Status {
                    if (value != "true" && value != "false") {
                      return Status::invalid("config catalog.demo must be true or false", "catalog.demo");
                    }
                    config.catalog_demo = value == "true";
                    return Status::ok();
                  },
                  [](const Config& config) { return std::string(config.catalog_demo ? "true" : "false"); }});
  keys.push_back(int_key("inventory.reservation_ttl_ms", "how long a reservation holds stock without payment",
                         &Config::inventory_reservation_ttl_ms, 1000, 7 * 24 * 3'600'000LL));
  keys.push_back(int_key("inventory.payment_extension_ms",
                         "how far an in-flight payment extends its reservation at expiry",
                         &Config::inventory_payment_extension_ms, 1000, 24 * 3'600'000LL));
  keys.push_back(int_key("inventory.low_stock_threshold",
                         "available units below which LowStock fires, for products without their own threshold",
                         &Config::inventory_low_stock_threshold, 0, 1'000'000'000));
  keys.push_back(int_key("payments.sim.latency_ms", "latency of the built-in gateway simulator",
                         &Config::payments_sim_latency_ms, 0, 60'000));
  keys.push_back(rate_key("payments.sim.decline_rate", "share of charges the simulator declines",
                          &Config::payments_sim_decline_rate));
  keys.push_back(rate_key("payments.sim.transient_error_rate", "share of simulator calls that fail transiently",
                          &Config::payments_sim_transient_error_rate));
  keys.push_back(int_key("payments.charge_max_attempts", "charge attempts before the payment fails",
                         &Config::payments_charge_max_attempts, 1, 100));
  keys.push_back(int_key("payments.charge_base_backoff_ms", "first retry delay ceiling for a charge",
                         &Config::payments_charge_base_backoff_ms, 1, 600'000));
  keys.push_back(int_key("payments.charge_max_backoff_ms", "largest retry delay for a charge",
                         &Config::payments_charge_max_backoff_ms, 1, 3'600'000));
  keys.push_back(choice_key("payments.gateway",
                            "inprocess: the built-in simulator; http: a card gateway's HTTP API at "
                            "payments.gateway_url (e.g. `orderflow gateway-sim`)",
                            &Config::payments_gateway, {"inprocess", "http"}));
  keys.push_back(text_key("payments.gateway_url", "base URL of the HTTP card gateway (http:// or https://)",
                          &Config::payments_gateway_url, 2048));
  keys.push_back(int_key("payments.gateway_timeout_ms",
                         "total time one HTTP gateway request may take; beyond it the outcome is looked up",
                         &Config::payments_gateway_timeout_ms, 100, 60'000));
  keys.push_back(int_key("fulfillment.delivery_delay_ms", "simulated carrier: time from shipping to delivery",
                         &Config::fulfillment_delivery_delay_ms, 0, 30LL * 24 * 3'600'000));
  keys.push_back(int_key("jobs.worker_threads", "threads running external calls (payments, notifications)",
                         &Config::jobs_worker_threads, 1, 256));
  keys.push_back(int_key("bus.batch_max", "events one subscription handles per commit at most",
                         &Config::bus_batch_max, 1, 10'000));
  keys.push_back(int_key("bus.retry.max_attempts", "handler attempts before an event is dead-lettered",
                         &Config::bus_retry_max_attempts, 1, 100));
  keys.push_back(int_key("bus.retry.base_backoff_ms", "first handler retry delay ceiling",
                         &Config::bus_retry_base_backoff_ms, 1, 600'000));
  keys.push_back(int_key("bus.retry.max_backoff_ms", "largest handler retry delay",
                         &Config::bus_retry_max_backoff_ms, 1, 3'600'000));
  keys.push_back(int_key("retention.interval_ms", "how often finished jobs and old inbox entries are deleted",
                         &Config::retention_interval_ms, 1000, 24 * 3'600'000LL));
  keys.push_back(int_key("retention.jobs_keep_ms", "finished jobs are kept this long (dead ones until redriven)",
                         &Config::retention_jobs_keep_ms, 60'000, 365 * 24 * 3'600'000LL));
  keys.push_back(int_key("retention.inbox_keep_ms",
                         "seen event ids are kept this long; a redelivery older than this would apply again",
                         &Config::retention_inbox_keep_ms, 3'600'000, 365 * 24 * 3'600'000LL));
  keys.push_back(int_key("idempotency.ttl_ms",
                         "an Idempotency-Key's first answer is replayed this long, then the key is pruned",
                         &Config::idempotency_ttl_ms, 60'000, 30 * 24 * 3'600'000LL));
  keys.push_back(choice_key("log.format", "log lines as JSON objects or text", &Config::log_format,
                            {"json", "text"}));
  keys.push_back(choice_key("log.level", "lowest level logged", &Config::log_level,
                            {"trace", "debug", "info", "warn", "error"}));
  keys.push_back(int_key("random.seed", "seed for ids, jitter and simulators (0: from the OS)",
                         &Config::random_seed, 0, INT64_MAX));
  keys.push_back(tax_key());
  keys.push_back(shipping_key());
  return keys;
}

void flatten(const std::string& prefix, const boost::json::value& value,
             std::vector<std::pair<std::string, std::string>>& out) {
  if (value.is_object() && prefix != "tax.rules" && prefix != "shipping.rules") {
    for (const auto& [key, member] : value.as_object()) {
      flatten(prefix.empty() ? std::string(key) : prefix + "." + std::string(key), member, out);
    }
    return;
  }
  if (value.is_string()) {
    out.emplace_back(prefix, std::string(value.as_string()));
  } else {
    out.emplace_back(prefix, boost::json::serialize(value));
  }
}

}  // namespace

Config::Config() {
  tax_rules = {
      {"US", "CA", "", 725}, {"US", "NY", "", 400},     {"US", "TX", "", 625},     {"US", "", "", 0},
      {"DE", "", "", 1900},  {"DE", "", "reduced", 700}, {"GB", "", "", 2000},     {"GB", "", "zero", 0},
      {"FR", "", "", 2000},  {"FR", "", "reduced", 550}, {"CA", "", "", 500},      {"US", "", "exempt", 0},
  };
  shipping_rules = {{"US", 599, 5000}, {"CA", 999, 10000}, {"*", 1499, 0}};
}

const std::vector<ConfigKey>& config_keys() {
  static const std::vector<ConfigKey> keys = make_keys();
  return keys;
}

Status set_config_value(Config& config, const std::string& key, const std::string& value) {
  for (const auto& spec : config_keys()) {
    if (spec.name == key) return spec.set(config, value);
  }
  return Status::invalid("unknown config key '" + key + "'; `orderflow config` lists them", key);
}

Status load_config_file(Config& config, const std::string& path) {
  std::ifstream file(path);
  if (!file) return Status::invalid("cannot read config file " + path);
  std::stringstream buffer;
  buffer << file.rdbuf();
  boost::system::error_code error;
  auto value = boost::json::parse(buffer.str(), error);
  if (error || !value.is_object()) return Status::invalid("config file " + path + " is not a JSON object");
  std::vector<std::pair<std::string, std::string>> pairs;
  flatten("", value, pairs);
  for (const auto& [key, text] : pairs) OF_RETURN_IF_ERROR(set_config_value(config, key, text));
  return Status::ok();
}

Status validate(const Config& config) {
  auto currency = core::Currency::parse(config.catalog_currency);
  if (!currency) return Status::invalid("config catalog.currency: " + currency.status().message(), "catalog.currency");
  if (config.bus_retry_base_backoff_ms > config.bus_retry_max_backoff_ms) {
    return Status::invalid("config bus.retry.base_backoff_ms must not exceed bus.retry.max_backoff_ms");
  }
  if (config.payments_charge_base_backoff_ms > config.payments_charge_max_backoff_ms) {
    return Status::invalid("config payments.charge_base_backoff_ms must not exceed payments.charge_max_backoff_ms");
  }
  if (config.payments_gateway == "http" && config.payments_gateway_url.rfind("http://", 0) != 0 &&
      config.payments_gateway_url.rfind("https://", 0) != 0) {
    return Status::invalid("config payments.gateway_url must start with http:// or https://", "payments.gateway_url");
  }
  return Status::ok();
}

std::string describe(const Config& config) {
  std::string out;
  for (const auto& key : config_keys()) {
    out += key.name + " = " + key.get(config) + "\n    " + key.description + " [" + key.bounds + "]\n";
  }
  return out;
}

}  // namespace of::app
