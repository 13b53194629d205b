// PaymentGateway: the port to whatever charges cards.
//
// Calls block (they are made from job worker threads, outside transactions)
// and must be idempotent by `idempotency_key`: the same key returns the first
// outcome and never charges twice. A transient error means the outcome is
// unknown or the gateway is unavailable; the caller retries with the same key.
// Adapters (providers/): an in-process simulator, and HttpPaymentGateway for a
// card gateway's payment-intents HTTP API (`orderflow gateway-sim` serves one).
#pragma once

#include <cstdint>
#include <string>

#include "base/ids.h"

namespace of::services {

struct ChargeRequest {
  std::string idempotency_key;
  OrderId order_id;
  std::string payment_token;
  int64_t amount_minor = 0;
  std::string currency;
};

struct RefundRequest {
  std::string idempotency_key;
  std::string charge_reference;
  int64_t amount_minor = 0;
  std::string currency;
};

struct GatewayResult {
  enum class Outcome { kApproved, kDeclined, kTransientError };
  Outcome outcome = Outcome::kTransientError;
  std::string reference;     // the gateway's id for the charge or refund
  std::string decline_code;  // "card_declined", "insufficient_funds", ...
  std::string message;
};

class PaymentGateway {
 public:
  virtual ~PaymentGateway() = default;
  virtual std::string name() const = 0;
  virtual GatewayResult charge(const ChargeRequest& request) = 0;
  virtual GatewayResult refund(const RefundRequest& request) = 0;
};

}  // namespace of::services
