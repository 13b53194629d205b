#include "providers/http_gateway.h"

#include <curl/curl.h>

#include <boost/json.hpp>
#include <cctype>
#include <optional>

#include "base/log.h"
#include "net/http.h"

namespace of::providers {

namespace json = boost::json;
using services::GatewayResult;

namespace {

struct Body {
  std::string text;
  bool overflow = false;
};

size_t append_body(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<Body*>(user);
  size_t bytes = size * count;
  if (body->text.size() + bytes > kResponseBytesMax) {
    body->overflow = true;
    return 0;  // aborts the transfer: an answer this large is not the gateway's
  }
  body->text.append(data, bytes);
  return bytes;
}

std::string text_of(const json::object& object, std::string_view key) {
  auto* value = object.if_contains(key);
  return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

std::optional<json::object> parse_object(const std::string& text) {
  boost::system::error_code error;
  json::value value = json::parse(text, error);
  if (error || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

GatewayResult transient(std::string message) {
  return {GatewayResult::Outcome::kTransientError, {}, {}, std::move(message)};
}

GatewayResult declined(std::string code, std::string message) {
  return {GatewayResult::Outcome::kDeclined, {}, std::move(code), std::move(message)};
}

// A payment intent or refund object, as found by id or key.
GatewayResult from_object(const json::object& object) {
  std::string status = text_of(object, "status");
  std::string id = text_of(object, "id");
  if (status == "succeeded") return {GatewayResult::Outcome::kApproved, id, {}, {}};
  if (status == "requires_payment_method") {
    std::string code = "card_declined";
    if (auto* error = object.if_contains("last_payment_error"); error && error->is_object()) {
      std::string decline = text_of(error->as_object(), "decline_code");
      std::string error_code = text_of(error->as_object(), "code");
      code = !decline.empty() && decline != "generic_decline" ? decline : error_code.empty() ? code : error_code;
    }
    return declined(code, "declined by the gateway");
  }
  // requires_capture, processing, ...: not settled yet; ask again later.
  return transient("the gateway reports status '" + status + "'");
}

}  // namespace

GatewayResult map_gateway_reply(const HttpPaymentGateway::Reply& reply) {
  if (!reply.delivered) return transient("gateway unreachable: " + reply.error);
  auto body = parse_object(reply.body);
  if (reply.status == 200) {
    if (!body) return transient("the gateway answered 200 with a body that is not JSON");
    return from_object(*body);
  }
  std::string code, decline_code, message;
  if (body) {
    if (auto* error = body->if_contains("error"); error && error->is_object()) {
      code = text_of(error->as_object(), "code");
      decline_code = text_of(error->as_object(), "decline_code");
      message = text_of(error->as_object(), "message");
    }
  }
  std::string detail = "gateway answered " + std::to_string(reply.status) + (code.empty() ? "" : " " + code) +
                       (message.empty() ? "" : ": " + message);
  if (reply.status >= 500 || reply.status == 409 || reply.status == 429 || code == "processing_error" ||
      reply.status < 400) {
    return transient(detail);
  }
  if (!decline_code.empty() && decline_code != "generic_decline") return declined(decline_code, detail);
  return declined(code.empty() ? "gateway_error_" + std::to_string(reply.status) : code, detail);
}

HttpPaymentGateway::HttpPaymentGateway(HttpGatewayOptions options) : options_(std::move(options)) {
  static std::once_flag curl_once;
  std::call_once(curl_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  base_url_ = options_.base_url;
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

HttpPaymentGateway::~HttpPaymentGateway() {
  std::lock_guard lock(mutex_);
  for (void* handle : idle_) curl_easy_cleanup(static_cast<CURL*>(handle));
  idle_.clear();
}

void* HttpPaymentGateway::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      void* handle = idle_.back();
      idle_.pop_back();
      return handle;
    }
  }
  return curl_easy_init();
}

void HttpPaymentGateway::release(void* handle) {
  if (!handle) return;
  {
    std::lock_guard lock(mutex_);
    if (idle_.size() < static_cast<size_t>(options_.pool_max)) {
      idle_.push_back(handle);
      return;
    }
  }
  curl_easy_cleanup(static_cast<CURL*>(handle));
}

HttpPaymentGateway::Reply HttpPaymentGateway::perform(const char* method, const std::string& path,
                                                      const std::string& body, const std::string& idempotency_key) {
  Reply reply;
  CURL* curl = static_cast<CURL*>(acquire());
  if (!curl) {
    reply.error = "cannot create an HTTP client handle";
    return reply;
  }
  // reset() clears options but keeps the handle's live connection and caches.
  curl_easy_reset(curl);
  std::string url = base_url_ + path;
  Body received;
  curl_slist* headers = curl_slist_append(nullptr, "Accept: application/json");
  headers = curl_slist_append(headers, "Expect:");
  if (!idempotency_key.empty()) headers = curl_slist_append(headers, ("Idempotency-Key: " + idempotency_key).c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
  curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &received);
  if (std::string_view(method) == "POST") {
    headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  } else {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  CURLcode code = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (code == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    reply.delivered = true;
    reply.status = static_cast<int>(status);
    reply.body = std::move(received.text);
    release(curl);
  } else {
    reply.error = received.overflow ? std::string("answer larger than the limit") : curl_easy_strerror(code);
    // A failed transfer may leave its connection in an unknown state: start afresh.
    curl_easy_cleanup(curl);
  }
  return reply;
}

GatewayResult HttpPaymentGateway::resolve_unknown(const std::string& lookup_path, const std::string& why) {
  Reply found = perform("GET", lookup_path, {}, {});
  if (found.delivered && found.status == 200) {
    auto object = parse_object(found.body);
    if (object) return from_object(*object);
  }
  if (found.delivered && found.status == 404) {
    return transient(why + "; the gateway has no record of the key, so nothing was done");
  }
  return transient(why + "; the lookup failed too (" +
                   (found.delivered ? "HTTP " + std::to_string(found.status) : found.error) + "): outcome unknown");
}

GatewayResult HttpPaymentGateway::charge(const services::ChargeRequest& request) {
  std::string currency = request.currency;
  for (char& c : currency) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  json::object body{{"amount", request.amount_minor},
                    {"currency", currency},
                    {"payment_method", request.payment_token},
                    {"confirm", true},
                    {"capture", true},
                    {"metadata", {{"order_id", request.order_id.str()}}}};
  Reply reply = perform("POST", "/v1/payment_intents", json::serialize(body), request.idempotency_key);
  GatewayResult result = map_gateway_reply(reply);
  bool unknown = !reply.delivered || reply.status >= 500 || (reply.status == 200 && result.reference.empty());
  if (!unknown) return result;
  return resolve_unknown("/v1/payment_intents?idempotency_key=" + net::percent_encode(request.idempotency_key),
                         "charge: " + result.message);
}

GatewayResult HttpPaymentGateway::refund(const services::RefundRequest& request) {
  json::object body{{"payment_intent", request.charge_reference}, {"amount", request.amount_minor}};
  Reply reply = perform("POST", "/v1/refunds", json::serialize(body), request.idempotency_key);
  GatewayResult result = map_gateway_reply(reply);
  bool unknown = !reply.delivered || reply.status >= 500 || (reply.status == 200 && result.reference.empty());
  if (!unknown) return result;
  return resolve_unknown("/v1/refunds?idempotency_key=" + net::percent_encode(request.idempotency_key),
                         "refund: " + result.message);
}

}  // namespace of::providers
