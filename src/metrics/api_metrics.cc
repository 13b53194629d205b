#include "metrics/api_metrics.h"

#include <array>
#include <charconv>

namespace of::metrics {

std::string_view normalize_method(std::string_view method) {
  static constexpr std::array<std::string_view, 7> kKnown = {"GET",   "HEAD",   "POST",   "PUT",
                                                             "PATCH", "DELETE", "OPTIONS"};
  for (std::string_view known : kKnown) {
    if (method == known) return known;
  }
  return "other";
}

ApiMetrics::ApiMetrics(Registry& registry)
    : registry_(registry),
      requests_(registry.counter("orderflow_http_requests_total",
                                 "HTTP requests answered, by route template, method and status code.",
                                 {"route", "method", "code"})),
      durations_(registry.histogram("orderflow_http_request_duration_seconds",
                                    "Time from a complete request to its answer (the head, for a stream), by "
                                    "route template and method.",
                                    {"route", "method"}, latency_buckets_seconds())),
      orders_created_(registry
                          .counter("orderflow_orders_created_total",
                                   "Orders accepted: answered 201 after the order was durably committed.")
                          .with({})),
      confirmation_(registry
                        .histogram("orderflow_order_confirmation_seconds",
                                   "Time from a POST /v1/orders request to its 201 (validated, priced, durable).", {},
                                   latency_buckets_seconds())
                        .with({})) {}

void ApiMetrics::record_request(std::string_view route, std::string_view method, int status, double seconds) {
  char code_buffer[8];
  if (status < 100 || status > 999) status = 0;  // never happens; keeps the label three digits or "0"
  auto [end, error] = std::to_chars(code_buffer, code_buffer + sizeof code_buffer, status);
  const std::string_view code(code_buffer, error == std::errc() ? static_cast<size_t>(end - code_buffer) : 0);
  const std::string_view normalized = normalize_method(method);
  requests_.with({route, normalized, code}).inc();
  durations_.with({route, normalized}).observe(seconds);
}

void ApiMetrics::record_order_created(double confirmation_seconds) {
  orders_created_.inc();
  confirmation_.observe(confirmation_seconds);
}

}  // namespace of::metrics
