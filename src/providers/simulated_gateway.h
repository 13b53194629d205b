// SimulatedGateway: an in-process PaymentGateway for the embedded shape and
// tests, with a ledger keyed by idempotency key (a repeated key returns the
// first outcome, so nothing is ever charged twice), configurable latency,
// decline rate and transient error rate.
//
// Test tokens select outcomes, as public gateways' test cards do:
//   tok_decline / tok_chargeDeclined -> declined "card_declined"
//   tok_insufficient_funds           -> declined "insufficient_funds"
//   tok_expired                      -> declined "expired_card"
//   tok_processing_error             -> transient error on every call
// Any other token is approved, except for the configured random decline rate
// (decided once per idempotency key). Thread-safe.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>

#include "base/random.h"
#include "services/payments/payment_gateway.h"

namespace of::providers {

struct SimulatedGatewayOptions {
  int64_t latency_ms = 0;             // added to every call
  double decline_rate = 0.0;          // 0..1, of otherwise approved charges
  double transient_error_rate = 0.0;  // 0..1, of calls (before the ledger is touched)
  // When set, every new charge and refund the simulator decides is appended
  // to this file as one JSON line, as a gateway's own ledger would show it
  // (the no-double-charge checks of the end-to-end tests read it).
  std::string ledger_path;
};

class SimulatedGateway final : public services::PaymentGateway {
 public:
  SimulatedGateway(Random& random, SimulatedGatewayOptions options);
  ~SimulatedGateway() override;
  std::string name() const override { return "simulator"; }
  services::GatewayResult charge(const services::ChargeRequest& request) override;
  services::GatewayResult refund(const services::RefundRequest& request) override;

  struct LedgerEntry {
    std::string order_id;
    int64_t amount_minor = 0;
    bool approved = false;
    int64_t refunded_minor = 0;
    int calls = 0;
  };
  // Successful charges per order id: the "no double charge" check in tests.
  std::map<std::string, int> approved_charges_by_order() const;
  int64_t charge_calls() const;

 private:
  void simulate_latency() const;
  void load_ledger();
  void record(const std::string& line);  // caller holds mutex_

  Random& random_;
  SimulatedGatewayOptions options_;
  mutable std::mutex mutex_;
  std::map<std::string, services::GatewayResult> charges_;  // by idempotency key
  std::map<std::string, LedgerEntry> ledger_;               // by idempotency key
  std::map<std::string, services::GatewayResult> refunds_;  // by idempotency key
  int64_t charge_calls_ = 0;
  std::FILE* ledger_file_ = nullptr;
};

}  // namespace of::providers
