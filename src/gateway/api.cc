#include "gateway/api.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <vector>

#include "base/log.h"
#include "codec/api_json.h"
#include "codec/events_json.h"
#include "crypto/signature.h"
#include "gateway/problem.h"

namespace of::gateway {

namespace {

constexpr int kPageDefault = 50;
constexpr int kPageMax = 500;

net::HttpResponse json(int status, std::string body) {
  net::HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > codec::kIdLengthMax) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

Result<int> parse_limit(const net::HttpRequest& request) {
  if (!request.has_query_param("limit")) return kPageDefault;
  std::string text = request.query_param("limit");
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 1 || value > kPageMax) {
    return Status::invalid("limit must be an integer between 1 and " + std::to_string(kPageMax), "limit");
  }
  return value;
}

void answer(const std::shared_ptr<net::Responder>& responder, const Status& status) {
  responder->respond(problem_response(status));
}

constexpr std::string_view kIdempotencyHeader = "Idempotency-Key";

// The Idempotency-Key of a request, if it has one: 1..kIdempotencyKeyLengthMax
// printable ASCII characters (anything else, an empty value included, is
// refused naming the header), with a digest of what the request asks (method,
// path and body), so a key sent again with another request is recognised.
Result<std::optional<services::IdempotencyToken>> idempotency_token(const net::HttpRequest& request) {
  const net::Headers& headers = request.headers;
  const auto found = std::find_if(headers.begin(), headers.end(), [](const auto& header) {
    return std::equal(header.first.begin(), header.first.end(), kIdempotencyHeader.begin(), kIdempotencyHeader.end(),
                      [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) ==
                                                  std::tolower(static_cast<unsigned char>(b)); });
  });
  if (found == headers.end()) return std::optional<services::IdempotencyToken>();
  const std::string& key = found->second;
  const bool printable = std::all_of(key.begin(), key.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
  if (key.empty() || key.size() > store::kIdempotencyKeyLengthMax || !printable) {
    return Status::invalid("Idempotency-Key must be 1-" + std::to_string(store::kIdempotencyKeyLengthMax) +
                               " printable ASCII characters",
                           std::string(kIdempotencyHeader));
  }
  return std::optional<services::IdempotencyToken>(services::IdempotencyToken{
      key, crypto::sha256_hex(request.method + "\n" + request.path + "\n" + request.body)});
}

// Answers a keyed request with its answer, new or replayed (marked so by a header).
void answer_keyed(const std::shared_ptr<net::Responder>& responder, services::KeyedAnswer keyed) {
  net::HttpResponse response;
  response.status = keyed.status;
  response.body = std::move(keyed.body);
  if (!keyed.location.empty()) response.headers.emplace_back("Location", std::move(keyed.location));
  if (keyed.replayed) response.headers.emplace_back("Idempotent-Replayed", "true");
  responder->respond(std::move(response));
}

// The route template of a path, for metric labels: never the raw path, so the
// label has a small fixed set of values. Keep it in step with Api::handle().
std::string_view route_template(const std::vector<std::string_view>& parts) {
  if (parts.size() == 1) {
    if (parts[0] == "healthz") return "/healthz";
    if (parts[0] == "readyz") return "/readyz";
    if (parts[0] == "metrics") return "/metrics";
  }
  if (parts.size() < 2 || parts[0] != "v1") return "unmatched";
  const std::string_view resource = parts[1];
  if (resource == "orders") {
    if (parts.size() == 2) return "/v1/orders";
    if (parts.size() == 3) return "/v1/orders/{id}";
    if (parts.size() == 4 && parts[3] == "cancel") return "/v1/orders/{id}/cancel";
    if (parts.size() == 4 && parts[3] == "events") return "/v1/orders/{id}/events";
    if (parts.size() == 4 && parts[3] == "timeline") return "/v1/orders/{id}/timeline";
    if (parts.size() == 4 && parts[3] == "refunds") return "/v1/orders/{id}/refunds";
  } else if (resource == "products") {
    if (parts.size() == 2) return "/v1/products";
    if (parts.size() == 3) return "/v1/products/{id}";
  } else if (resource == "inventory" && parts.size() == 2) {
    return "/v1/inventory";
  } else if (resource == "inventory" && parts.size() == 3) {
    return "/v1/inventory/{productId}";
  } else if (resource == "dead-letters") {
    if (parts.size() == 2) return "/v1/dead-letters";
    if (parts.size() == 4 && parts[3] == "redrive") return "/v1/dead-letters/{id}/redrive";
  }
  return "unmatched";
}

// Counts and times one request when it is answered (for a stream: when its
// head goes out), then hands the answer on.
class MeasuredResponder final : public net::Responder {
 public:
  MeasuredResponder(std::shared_ptr<net::Responder> inner, metrics::ApiMetrics& metrics, const Clock& clock,
                    std::string_view route, std::string_view method)
      : inner_(std::move(inner)),
        metrics_(metrics),
        clock_(clock),
        route_(route),
        method_(metrics::normalize_method(method)),
        started_us_(clock.monotonic_us()) {}
  void respond(net::HttpResponse response) override {
    record(response.status);
    inner_->respond(std::move(response));
  }
  std::shared_ptr<net::ResponseStream> start_stream(net::HttpResponse head) override {
    record(head.status);
    return inner_->start_stream(std::move(head));
  }

 private:
  void record(int status) {
    metrics_.record_request(route_, method_, status, static_cast<double>(clock_.monotonic_us() - started_us_) / 1e6);
  }
  std::shared_ptr<net::Responder> inner_;
  metrics::ApiMetrics& metrics_;
  const Clock& clock_;
  const std::string_view route_;   // a literal from route_template()
  const std::string_view method_;  // a literal from normalize_method()
  const int64_t started_us_;
};

// Holds one in-flight slot until the request is answered (for a stream: when
// its head goes out), or the responder is dropped unanswered; adds the
// client's RateLimit headers to the answer.
class AdmittedResponder final : public net::Responder {
 public:
  AdmittedResponder(std::shared_ptr<net::Responder> inner, RateLimiter& limiter, std::string rate_limit)
      : inner_(std::move(inner)), limiter_(limiter), rate_limit_(std::move(rate_limit)) {}
  ~AdmittedResponder() override { release(); }
  void respond(net::HttpResponse response) override {
    release();
    response.headers.emplace_back("RateLimit", rate_limit_);
    inner_->respond(std::move(response));
  }
  std::shared_ptr<net::ResponseStream> start_stream(net::HttpResponse head) override {
    release();
    head.headers.emplace_back("RateLimit", rate_limit_);
    return inner_->start_stream(std::move(head));
  }

 private:
  void release() {
    if (!released_.exchange(true)) limiter_.leave();
  }
  std::shared_ptr<net::Responder> inner_;
  RateLimiter& limiter_;
  const std::string rate_limit_;
  std::atomic<bool> released_{false};
};

std::string rate_limit_policy(const RateLimitOptions& options) {
  // The window is the time an empty bucket takes to fill: burst tokens per w
  // seconds is the sustained rate, and all of them may come at once.
  const int64_t window_s = std::max<int64_t>(1, (options.per_client_burst + options.per_client_rps - 1) /
                                                    options.per_client_rps);
  return std::to_string(options.per_client_burst) + ";w=" + std::to_string(window_s);
}

std::string rate_limit_header(const RateDecision& decision) {
  return "limit=" + std::to_string(decision.limit) + ", remaining=" + std::to_string(decision.remaining) +
         ", reset=" + std::to_string(decision.reset_s);
}

}  // namespace

std::string traceparent_for(std::string_view incoming, Random& random) {
  auto hex_ok = [](std::string_view text) {
    for (char c : text) {
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return text.find_first_not_of('0') != std::string_view::npos;
  };
  if (incoming.size() == 55 && incoming.substr(0, 3) == "00-" && incoming[35] == '-' && incoming[52] == '-' &&
      hex_ok(incoming.substr(3, 32)) && hex_ok(incoming.substr(36, 16))) {
    return std::string(incoming);
  }
  char buffer[56];
  std::snprintf(buffer, sizeof buffer, "00-%016llx%016llx-%016llx-01",
                static_cast<unsigned long long>(random.next_u64()), static_cast<unsigned long long>(random.next_u64()),
                static_cast<unsigned long long>(random.next_u64() | 1));
  return buffer;
}

Api::Api(ApiDependencies dependencies) : deps_(dependencies) {
  if (deps_.metrics) metrics_ = std::make_unique<metrics::ApiMetrics>(*deps_.metrics);
}

void Api::handle(net::HttpRequest request, std::shared_ptr<net::Responder> responder) {
  const auto parts = split_path(request.path);
  const std::string& method = request.method;
  if (metrics_) {
    responder = std::make_shared<MeasuredResponder>(std::move(responder), *metrics_, deps_.context.clock,
                                                    route_template(parts), method);
  }
  const bool exempt = parts.size() == 1 && (parts[0] == "healthz" || parts[0] == "readyz" || parts[0] == "metrics");
  if (deps_.rate_limiter && deps_.rate_limiter->options().enabled && !exempt) {
    RateLimiter& limiter = *deps_.rate_limiter;
    const RateDecision decision = limiter.admit(request.remote_address);
    if (!decision.allowed) {
      auto response = problem(429, "rate-limited", "Too many requests",
                              "this client sent more than " + std::to_string(limiter.options().per_client_burst) +
                                  " requests at once or more than " +
                                  std::to_string(limiter.options().per_client_rps) +
                                  " per second; retry after " + std::to_string(decision.retry_after_s) + " s");
      response.headers.emplace_back("Retry-After", std::to_string(decision.retry_after_s));
      response.headers.emplace_back("RateLimit-Policy", rate_limit_policy(limiter.options()));
      response.headers.emplace_back("RateLimit", rate_limit_header(decision));
      return responder->respond(std::move(response));
    }
    if (!limiter.try_enter()) {
      auto response = problem(503, "overloaded", "Too many requests in flight",
                              "orderflow is answering " + std::to_string(limiter.options().inflight_max) +
                                  " requests already; retry after 1 s");
      response.headers.emplace_back("Retry-After", "1");
      return responder->respond(std::move(response));
    }
    responder = std::make_shared<AdmittedResponder>(std::move(responder), limiter, rate_limit_header(decision));
  }
  auto method_not_allowed = [&](std::string_view allowed) {
    auto response = problem(405, "method-not-allowed", "Method not allowed",
                            method + " is not allowed on " + request.path + "; use " + std::string(allowed));
    response.headers.emplace_back("Allow", std::string(allowed));
    responder->respond(std::move(response));
  };
  auto bad_id = [&](std::string_view what) {
    responder->respond(problem(400, "invalid-request", "The request is not valid",
                               std::string(what) + " must be 1-128 characters of letters, digits, - _ . :"));
  };

  if (parts.size() == 1 && parts[0] == "healthz") {
    if (method != "GET") return method_not_allowed("GET");
    return responder->respond(json(200, R"({"status":"ok"})"));
  }
  if (parts.size() == 1 && parts[0] == "readyz") {
    if (method != "GET") return method_not_allowed("GET");
    return readyz(responder);
  }
  if (parts.size() == 1 && parts[0] == "metrics" && metrics_) {
    if (method != "GET") return method_not_allowed("GET");
    return metrics_page(responder);
  }
  if (parts.size() >= 2 && parts[0] == "v1") {
    const std::string_view resource = parts[1];
    if (resource == "orders") {
      if (parts.size() == 2) {
        if (method == "POST") return create_order(request, responder);
        if (method == "GET") return list_orders(request, responder);
        return method_not_allowed("GET, POST");
      }
      const std::string id(parts[2]);
      if (!valid_id(id)) return bad_id("an order id");
      if (parts.size() == 3) {
        if (method == "GET") return get_order(id, responder);
        return method_not_allowed("GET");
      }
      if (parts.size() == 4 && parts[3] == "cancel") {
        if (method == "POST") return cancel_order(id, request, responder);
        return method_not_allowed("POST");
      }
      if (parts.size() == 4 && parts[3] == "events") {
        if (method == "GET") return order_events(id, request, responder);
        return method_not_allowed("GET");
      }
      if (parts.size() == 4 && parts[3] == "timeline") {
        if (method == "GET") return order_timeline(id, responder);
        return method_not_allowed("GET");
      }
      if (parts.size() == 4 && parts[3] == "refunds" && deps_.payments) {
        if (method == "POST") return refund_order(id, request, responder);
        return method_not_allowed("POST");
      }
    } else if (resource == "products") {
      if (parts.size() == 2) {
        if (method == "GET") return list_products(request, responder);
        return method_not_allowed("GET");
      }
      if (parts.size() == 3) {
        const std::string id(parts[2]);
        if (!valid_id(id)) return bad_id("a product id");
        if (method == "PUT") return put_product(id, request, responder);
        if (method == "GET") return get_product(id, responder);
        return method_not_allowed("GET, PUT");
      }
    } else if (resource == "inventory" && parts.size() == 2) {
      if (method == "GET") return list_inventory(request, responder);
      return method_not_allowed("GET");
    } else if (resource == "inventory" && parts.size() == 3) {
      const std::string id(parts[2]);
      if (!valid_id(id)) return bad_id("a product id");
      if (method == "PUT") return put_inventory(id, request, responder);
      if (method == "GET") return get_inventory(id, responder);
      return method_not_allowed("GET, PUT");
    } else if (resource == "dead-letters") {
      if (parts.size() == 2) {
        if (method == "GET") return list_dead_letters(request, responder);
        return method_not_allowed("GET");
      }
      if (parts.size() == 4 && parts[3] == "redrive") {
        if (method == "POST") return redrive(std::string(parts[2]), responder);
        return method_not_allowed("POST");
      }
    }
  }
  responder->respond(problem(404, "not-found", "Not found", "no route for " + method + " " + request.path));
}

void Api::create_order(const net::HttpRequest& request, std::shared_ptr<net::Responder> responder) {
  const Clock& clock = deps_.context.clock;
  const int64_t started_us = clock.monotonic_us();  // confirmation latency: decode, price, durable commit
  auto decoded = codec::decode_create_order(request.body);
  if (!decoded) return answer(responder, decoded.status());
  auto token = idempotency_token(request);
  if (!token) return answer(responder, token.status());
  std::string traceparent = traceparent_for(request.header("traceparent"), deps_.context.random);
  if (*token) {
    deps_.orders.create_order(
        std::move(decoded).value(), traceparent, std::move(**token),
        [responder, metrics = metrics_.get(), &clock, started_us](Result<services::KeyedAnswer> result) {
          if (!result) return answer(responder, result.status());
          if (metrics && !result->replayed) {
            metrics->record_order_created(static_cast<double>(clock.monotonic_us() - started_us) / 1e6);
          }
          answer_keyed(responder, std::move(result).value());
        });
    return;
  }
  deps_.orders.create_order(
      std::move(decoded).value(), traceparent,
      [responder, metrics = metrics_.get(), &clock, started_us](Result<services::OrderView> result) {
        if (!result) return answer(responder, result.status());
        if (metrics) metrics->record_order_created(static_cast<double>(clock.monotonic_us() - started_us) / 1e6);
        auto response = json(201, codec::encode_order(result->order, result->history));
        response.headers.emplace_back("Location", "/v1/orders/" + result->order.id.str());
        responder->respond(std::move(response));
      });
}

void Api::get_order(const std::string& id, std::shared_ptr<net::Responder> responder) {
  auto view = deps_.orders.get_order(OrderId(id));
  if (!view) return answer(responder, view.status());
  responder->respond(json(200, codec::encode_order(view->order, view->history)));
}

void Api::list_orders(const net::HttpRequest& request, std::shared_ptr<net::Responder> responder) {
  store::OrderFilter filter;
  auto limit = parse_limit(request);
  if (!limit) return answer(responder, limit.status());
  filter.limit = *limit + 1;  // one more tells whether there is a next page
  if (request.has_query_param("customerId")) {
    std::string customer = request.query_param("customerId");
    if (!valid_id(customer)) return answer(responder, Status::invalid("customerId is not a valid id", "customerId"));
    filter.customer_id = CustomerId(customer);
  }
  if (request.has_query_param("status")) {
    auto status = core::parse_order_status(request.query_param("status"));
    if (!status) {
      return answer(responder, Status::invalid("status must be one of PENDING, RESERVED, PAID, SHIPPED, DELIVERED, "
                                               "REJECTED, PAYMENT_FAILED, CANCELLED, REFUNDED, PARTIALLY_REFUNDED",
                                               "status"));
    }
    filter.status = *status;
  }
  if (request.has_query_param("cursor")) {
    std::string cursor = request.query_param("cursor");
    if (!valid_id(cursor)) return answer(responder, Status::invalid("cursor is not valid", "cursor"));
    filter.before = OrderId(cursor);
  }
  auto orders = deps_.orders.list_orders(filter);
  if (!orders) return answer(responder, orders.status());
  std::optional<std::string> next;
  if (static_cast<int>(orders->size()) > *limit) {
    orders->resize(*limit);
    next = orders->back().id.str();
  }
  responder->respond(json(200, codec::encode_order_list(*orders, next)));
}

void Api::cancel_order(const std::string& id, const net::HttpRequest& request,
                       std::shared_ptr<net::Responder> responder) {
  auto reason = codec::decode_cancel_request(request.body);
  if (!reason) return answer(responder, reason.status());
  auto token = idempotency_token(request);
  if (!token) return answer(responder, token.status());
  if (*token) {
    deps_.orders.cancel_order(OrderId(id), *reason, std::move(**token),
                              [responder](Result<services::KeyedAnswer> result) {
                                if (!result) return answer(responder, result.status());
                                answer_keyed(responder, std::move(result).value());
                              });
    return;
  }
  deps_.orders.cancel_order(OrderId(id), *reason, [responder](Result<services::OrderView> result) {
    if (!result) return answer(responder, result.status());
    responder->respond(json(200, codec::encode_order(result->order, result->history)));
  });
}

// Admin refund (no API keys exist yet: like every route, trusted network only).
// 202: the refund is committed as a job; RefundCompleted and the order's
// REFUNDED / PARTIALLY_REFUNDED status follow when the gateway confirms.
void Api::refund_order(const std::string& id, const net::HttpRequest& request,
                       std::shared_ptr<net::Responder> responder) {
  auto body = codec::decode_refund_request(request.body);
  if (!body) return answer(responder, body.status());
  std::string key(request.header("Idempotency-Key"));
  if (key.size() > 64 || key.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
                             std::string::npos) {
    return answer(responder, Status::invalid("Idempotency-Key must be at most 64 letters, digits, '-' or '_'",
                                             "Idempotency-Key"));
  }
  auto ticket = std::make_shared<services::RefundTicket>();
  deps_.store.submit(
      [payments = deps_.payments, ticket, order_id = OrderId(id), amount = body->amount,
       key](store::Tx& tx) -> Status {
        OF_ASSIGN_OR_RETURN(*ticket, payments->request_refund(tx, order_id, amount, key));
        return Status::ok();
      },
      [responder, ticket, id](const Status& status) {
        if (!status.is_ok()) return answer(responder, status);
        responder->respond(json(ticket->replay ? 200 : 202,
                                codec::encode_refund_accepted(id, ticket->refund_id, ticket->amount_minor,
                                                              ticket->currency, ticket->captured_minor,
                                                              ticket->refunded_before_minor)));
      });
}

// Every event of one order, oldest first, as the CloudEvents in the log: what
// an operator reads to see where an order is and why (a payment failure's
// reason, a retried handler, the trace id carried by each event).
void Api::order_timeline(const std::string& id, std::shared_ptr<net::Responder> responder) {
  constexpr int kTimelineEventsMax = 1000;
  std::vector<core::Event> events;
  Status read = deps_.store.read([&](store::Tx& tx) -> Status {
    OF_ASSIGN_OR_RETURN(auto order, tx.get_order(OrderId(id)));
    if (!order) return Status::not_found("order " + id + " does not exist");
    OF_ASSIGN_OR_RETURN(events, tx.read_subject_events(id, 0, kTimelineEventsMax));
    return Status::ok();
  });
  if (!read.is_ok()) return answer(responder, read);
  std::string body = "{\"orderId\":\"" + id + "\",\"events\":[";
  for (size_t i = 0; i < events.size(); ++i) {
    if (i > 0) body += ",";
    body += codec::encode_cloud_event(events[i]);
  }
  body += "]}";
  responder->respond(json(200, std::move(body)));
}

void Api::order_events(const std::string& id, const net::HttpRequest& request,
                       std::shared_ptr<net::Responder> responder) {
  auto view = deps_.orders.get_order(OrderId(id));
  if (!view) return answer(responder, view.status());
  int64_t last_event_id = 0;
  std::string_view header = request.header("Last-Event-ID");
  if (!header.empty()) {
    auto [end, error] = std::from_chars(header.data(), header.data() + header.size(), last_event_id);
    if (error != std::errc() || end != header.data() + header.size() || last_event_id < 0) {
      return answer(responder, Status::invalid("Last-Event-ID must be an event id this stream sent", "Last-Event-ID"));
    }
  }
  net::HttpResponse head;
  head.status = 200;
  head.content_type = "text/event-stream";
  head.headers.emplace_back("Cache-Control", "no-cache");
  head.headers.emplace_back("X-Accel-Buffering", "no");
  auto stream = responder->start_stream(std::move(head));
  Status attached = deps_.status_hub.attach(OrderId(id), last_event_id, stream);
  if (!attached.is_ok()) {
    OF_LOG_WARN("status stream for order {} not attached: {}", id, attached.to_string());
    stream->close();
  }
}

void Api::put_product(const std::string& id, const net::HttpRequest& request,
                      std::shared_ptr<net::Responder> responder) {
  auto update = codec::decode_product_update(request.body);
  if (!update) return answer(responder, update.status());
  deps_.catalog.put_product(Sku(id), std::move(update).value(), [responder](Result<core::Product> product) {
    if (!product) return answer(responder, product.status());
    responder->respond(json(200, codec::encode_product(*product)));
  });
}

void Api::list_products(const net::HttpRequest& request, std::shared_ptr<net::Responder> responder) {
  auto limit = parse_limit(request);
  if (!limit) return answer(responder, limit.status());
  std::optional<Sku> after;
  if (request.has_query_param("cursor")) after = Sku(request.query_param("cursor"));
  auto products = deps_.catalog.list_products(after, *limit + 1);
  if (!products) return answer(responder, products.status());
  std::optional<std::string> next;
  if (static_cast<int>(products->size()) > *limit) {
    products->resize(*limit);
    next = products->back().id.str();
  }
  responder->respond(json(200, codec::encode_product_list(*products, next)));
}

void Api::get_product(const std::string& id, std::shared_ptr<net::Responder> responder) {
  auto product = deps_.catalog.get_product(Sku(id));
  if (!product) return answer(responder, product.status());
  responder->respond(json(200, codec::encode_product(*product)));
}

void Api::put_inventory(const std::string& id, const net::HttpRequest& request,
                        std::shared_ptr<net::Responder> responder) {
  auto update = codec::decode_inventory_update(request.body);
  if (!update) return answer(responder, update.status());
  const int64_t default_threshold = deps_.inventory.default_low_stock_threshold();
  deps_.inventory.set_on_hand(Sku(id), update->on_hand, update->low_stock_threshold,
                              [responder, default_threshold](Result<core::StockLevel> stock) {
                                if (!stock) return answer(responder, stock.status());
                                responder->respond(json(200, codec::encode_stock(*stock, default_threshold)));
                              });
}

void Api::get_inventory(const std::string& id, std::shared_ptr<net::Responder> responder) {
  auto stock = deps_.inventory.get_stock(Sku(id));
  if (!stock) return answer(responder, stock.status());
  const int64_t default_threshold = deps_.inventory.default_low_stock_threshold();
  responder->respond(json(200, codec::encode_stock(*stock, default_threshold)));
}

// GET /v1/inventory[?lowStock=true][&cursor=<productId>][&limit=N]: stock rows
// in product order; with lowStock=true only those below their threshold.
void Api::list_inventory(const net::HttpRequest& request, std::shared_ptr<net::Responder> responder) {
  auto limit = parse_limit(request);
  if (!limit) return answer(responder, limit.status());
  bool low_only = false;
  if (request.has_query_param("lowStock")) {
    const std::string low = request.query_param("lowStock");
    if (low != "true" && low != "false") {
      return answer(responder, Status::invalid("lowStock must be true or false", "lowStock"));
    }
    low_only = low == "true";
  }
  std::optional<Sku> after;
  if (request.has_query_param("cursor")) after = Sku(request.query_param("cursor"));
  auto levels = deps_.inventory.list_stock(after, *limit + 1, low_only);
  if (!levels) return answer(responder, levels.status());
  std::optional<std::string> next;
  if (static_cast<int>(levels->size()) > *limit) {
    levels->resize(*limit);
    next = levels->back().product_id.str();
  }
  const int64_t default_threshold = deps_.inventory.default_low_stock_threshold();
  responder->respond(json(200, codec::encode_stock_list(*levels, default_threshold, next)));
}

void Api::list_dead_letters(const net::HttpRequest& request, std::shared_ptr<net::Responder> responder) {
  auto limit = parse_limit(request);
  if (!limit) return answer(responder, limit.status());
  int64_t after = 0;
  if (request.has_query_param("cursor")) {
    std::string cursor = request.query_param("cursor");
    auto [end, error] = std::from_chars(cursor.data(), cursor.data() + cursor.size(), after);
    if (error != std::errc() || end != cursor.data() + cursor.size()) {
      return answer(responder, Status::invalid("cursor is not valid", "cursor"));
    }
  }
  bool include_redriven = request.query_param("includeRedriven") == "true";
  std::vector<core::DeadLetter> letters;
  Status read = deps_.store.read([&](store::Tx& tx) -> Status {
    OF_ASSIGN_OR_RETURN(letters, tx.list_dead_letters(include_redriven, after, *limit + 1));
    return Status::ok();
  });
  if (!read.is_ok()) return answer(responder, read);
  std::optional<std::string> next;
  if (static_cast<int>(letters.size()) > *limit) {
    letters.resize(*limit);
    next = std::to_string(letters.back().id);
  }
  responder->respond(json(200, codec::encode_dead_letter_list(letters, next)));
}

void Api::redrive(const std::string& id_text, std::shared_ptr<net::Responder> responder) {
  int64_t id = 0;
  auto [end, error] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
  if (error != std::errc() || end != id_text.data() + id_text.size() || id <= 0) {
    return answer(responder, Status::invalid("dead-letter id must be a positive integer"));
  }
  auto letter = std::make_shared<core::DeadLetter>();
  deps_.store.submit(
      [this, id, letter](store::Tx& tx) -> Status {
        OF_RETURN_IF_ERROR(bus::redrive_dead_letter(tx, id, deps_.context.now_ms()));
        OF_ASSIGN_OR_RETURN(auto found, tx.get_dead_letter(id));
        if (found) *letter = *found;
        return Status::ok();
      },
      [this, responder, letter](const Status& status) {
        if (!status.is_ok()) return answer(responder, status);
        deps_.bus.wake();
        deps_.jobs.wake();
        responder->respond(json(200, codec::encode_dead_letter(*letter)));
      });
}

void Api::metrics_page(std::shared_ptr<net::Responder> responder) {
  net::HttpResponse response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = metrics_->registry().expose();
  responder->respond(std::move(response));
}

void Api::readyz(std::shared_ptr<net::Responder> responder) {
  int64_t pending = 0, dead = 0, queued = 0, running = 0, due = 0;
  Status read = deps_.store.read([&](store::Tx& tx) -> Status {
    OF_ASSIGN_OR_RETURN(pending, tx.count_pending_deliveries());
    OF_ASSIGN_OR_RETURN(queued, tx.count_jobs(core::JobState::kQueued));
    OF_ASSIGN_OR_RETURN(running, tx.count_jobs(core::JobState::kRunning));
    OF_ASSIGN_OR_RETURN(dead, tx.count_jobs(core::JobState::kDead));
    // Queued jobs include timers due much later (a reservation's expiry); the
    // backlog is what is due now, counted up to one page.
    OF_ASSIGN_OR_RETURN(auto due_now, tx.due_jobs(deps_.context.now_ms(), store::kListLimitMax));
    due = static_cast<int64_t>(due_now.size());
    return Status::ok();
  });
  auto stats = deps_.store.stats();
  bool ready = ready_.load() && read.is_ok();
  std::string body = std::string("{\"status\":\"") + (ready ? "ready" : "not ready") +
                     "\",\"checks\":{\"store\":\"" + (read.is_ok() ? "ok" : "failing") +
                     "\",\"commits\":" + std::to_string(stats.commits) +
                     ",\"pendingDeliveries\":" + std::to_string(pending) + ",\"queuedJobs\":" +
                     std::to_string(queued) + ",\"dueJobs\":" + std::to_string(due) + ",\"runningJobs\":" +
                     std::to_string(running) + ",\"deadJobs\":" + std::to_string(dead) +
                     ",\"statusStreams\":" + std::to_string(deps_.status_hub.stream_count()) + "}}";
  responder->respond(json(ready ? 200 : 503, std::move(body)));
}

}  // namespace of::gateway
