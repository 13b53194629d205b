// Api: orderflow's HTTP routes under /v1, plus /healthz and /readyz.
//
// Decodes requests (codec/), calls services, and maps every Status through
// problem.h. Handlers run on HTTP I/O threads; writes answer from the store's
// writer thread once durable. No Boost.Beast here: only net/http.h values.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "bus/bus.h"
#include "gateway/rate_limiter.h"
#include "gateway/status_hub.h"
#include "jobs/job_runner.h"
#include "metrics/api_metrics.h"
#include "net/http_server.h"
#include "services/catalog/catalog_service.h"
#include "services/inventory/inventory_service.h"
#include "services/orders/order_service.h"
#include "services/payments/payment_service.h"

namespace of::gateway {

struct ApiDependencies {
  store::Store& store;
  bus::Bus& bus;
  jobs::JobRunner& jobs;
  services::ServiceContext& context;
  services::OrderService& orders;
  services::CatalogService& catalog;
  services::InventoryService& inventory;
  StatusHub& status_hub;
  // When set: GET /metrics serves it, and every request is counted and timed.
  metrics::Registry* metrics = nullptr;
  // When set: POST /v1/orders/{id}/refunds (admin refunds).
  services::PaymentService* payments = nullptr;
  // When set and enabled: per-client token buckets (429) and the in-flight cap
  // (503) before routing; /healthz, /readyz and /metrics are exempt.
  RateLimiter* rate_limiter = nullptr;
};

class Api {
 public:
  explicit Api(ApiDependencies dependencies);
  void handle(net::HttpRequest request, std::shared_ptr<net::Responder> responder);
  // Readiness: set false while starting or stopping.
  void set_ready(bool ready) { ready_ = ready; }

 private:
  void create_order(const net::HttpRequest& request, std::shared_ptr<net::Responder> responder);
  void get_order(const std::string& id, std::shared_ptr<net::Responder> responder);
  void list_orders(const net::HttpRequest& request, std::shared_ptr<net::Responder> responder);
  void cancel_order(const std::string& id, const net::HttpRequest& request,
                    std::shared_ptr<net::Responder> responder);
  void order_timeline(const std::string& id, std::shared_ptr<net::Responder> responder);
  void order_events(const std::string& id, const net::HttpRequest& request,
                    std::shared_ptr<net::Responder> responder);
  void refund_order(const std::string& id, const net::HttpRequest& request,
                    std::shared_ptr<net::Responder> responder);
  void put_product(const std::string& id, const net::HttpRequest& request,
                   std::shared_ptr<net::Responder> responder);
  void list_products(const net::HttpRequest& request, std::shared_ptr<net::Responder> responder);
  void get_product(const std::string& id, std::shared_ptr<net::Responder> responder);
  void put_inventory(const std::string& id, const net::HttpRequest& request,
                     std::shared_ptr<net::Responder> responder);
  void get_inventory(const std::string& id, std::shared_ptr<net::Responder> responder);
  void list_inventory(const net::HttpRequest& request, std::shared_ptr<net::Responder> responder);
  void list_dead_letters(const net::HttpRequest& request, std::shared_ptr<net::Responder> responder);
  void redrive(const std::string& id, std::shared_ptr<net::Responder> responder);
  void readyz(std::shared_ptr<net::Responder> responder);
  void metrics_page(std::shared_ptr<net::Responder> responder);

  ApiDependencies deps_;
  std::atomic<bool> ready_{false};
  std::unique_ptr<metrics::ApiMetrics> metrics_;  // null without deps_.metrics
};

// A W3C traceparent: the request's own when valid, else a new one.
std::string traceparent_for(std::string_view incoming, Random& random);

}  // namespace of::gateway
