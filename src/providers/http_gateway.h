// HttpPaymentGateway: the PaymentGateway port over a card gateway's HTTP/JSON
// payment-intents API (the one `orderflow gateway-sim` serves; TLS when the
// URL is https, through libcurl and OpenSSL).
//
// charge(): POST /v1/payment_intents with the request's Idempotency-Key,
// captured at once. refund(): POST /v1/refunds, likewise keyed. Answers map to
// the port's outcomes:
//   200                          -> Approved (reference: payment intent / refund id)
//   402 processing_error, 409, 429 -> TransientError (retry with the same key)
//   402 card decline, other 4xx  -> Declined with the gateway's code
//   timeout, connection error, 5xx, unreadable answer -> outcome UNKNOWN: the
//     gateway may have charged. Before reporting TransientError the adapter
//     asks GET ?idempotency_key=K and returns what the gateway knows
//     (Approved / Declined); only "never seen" or a failed lookup is transient.
// So a retried job continues from the gateway's truth and never charges twice
// (the key alone already guarantees that; the lookup saves retries and lets a
// lost success count at once).
//
// Threads: charge() and refund() block and may be called from many job worker
// threads at once. Each call borrows a libcurl easy handle from a pool of at
// most `pool_max` idle handles; a handle keeps its keep-alive connection, so
// steady traffic reuses connections. Every request has a connect and a total
// timeout, and CURLOPT_NOSIGNAL (no SIGALRM in a threaded process). Response
// bodies are bounded by kResponseBytesMax.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "services/payments/payment_gateway.h"

namespace of::providers {

inline constexpr size_t kResponseBytesMax = 1 << 20;

struct HttpGatewayOptions {
  std::string base_url = "http://127.0.0.1:8090";  // no trailing slash needed
  int64_t timeout_ms = 4'000;                      // per request, total
  int64_t connect_timeout_ms = 2'000;
  int pool_max = 16;  // idle handles kept (one keep-alive connection each)
};

class HttpPaymentGateway final : public services::PaymentGateway {
 public:
  explicit HttpPaymentGateway(HttpGatewayOptions options);
  ~HttpPaymentGateway() override;
  HttpPaymentGateway(const HttpPaymentGateway&) = delete;
  HttpPaymentGateway& operator=(const HttpPaymentGateway&) = delete;

  std::string name() const override { return "http"; }
  services::GatewayResult charge(const services::ChargeRequest& request) override;
  services::GatewayResult refund(const services::RefundRequest& request) override;

  struct Reply {
    bool delivered = false;  // an HTTP status came back
    int status = 0;
    std::string body;
    std::string error;  // transport error text when !delivered
  };

 private:
  Reply perform(const char* method, const std::string& path, const std::string& body,
                const std::string& idempotency_key);
  // The outcome is unknown: asks `lookup_path` and maps what the gateway knows.
  services::GatewayResult resolve_unknown(const std::string& lookup_path, const std::string& why);
  void* acquire();
  void release(void* handle);

  const HttpGatewayOptions options_;
  std::string base_url_;
  std::mutex mutex_;
  std::vector<void*> idle_;  // CURL* easy handles, guarded by mutex_
};

// Maps one answer of the payment intents or refunds API to a result (no
// lookup): exposed for tests.
services::GatewayResult map_gateway_reply(const HttpPaymentGateway::Reply& reply);

}  // namespace of::providers
