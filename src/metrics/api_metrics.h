// ApiMetrics: what the HTTP API records per request, and the order figures
// measured at the edge.
//
//   orderflow_http_requests_total{route,method,code}
//   orderflow_http_request_duration_seconds{route,method}   (histogram)
//   orderflow_orders_created_total
//   orderflow_order_confirmation_seconds                    (histogram: request in -> 201 out, durable)
//
// `route` is the route's template ("/v1/orders/{id}"), never the raw path, and
// `method` is normalized to a fixed set, so label cardinality stays bounded
// whatever clients send. Thread-safe; recording takes a shared lock and a few
// relaxed atomic increments, no allocation once a series exists.
#pragma once

#include <string_view>

#include "metrics/registry.h"

namespace of::metrics {

class ApiMetrics {
 public:
  explicit ApiMetrics(Registry& registry);
  void record_request(std::string_view route, std::string_view method, int status, double seconds);
  void record_order_created(double confirmation_seconds);
  Registry& registry() { return registry_; }

 private:
  Registry& registry_;
  CounterFamily& requests_;
  HistogramFamily& durations_;
  Counter& orders_created_;
  Histogram& confirmation_;
};

// GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS as they are; anything else "other".
std::string_view normalize_method(std::string_view method);

}  // namespace of::metrics
