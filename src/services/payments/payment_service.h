// PaymentService: one payment per order, charged through the PaymentGateway
// port by a job, so no retry, redelivery or restart can charge twice (the
// gateway sees one idempotency key per order).
//
// Subscription "payments":
//   InventoryReserved -> payment record (PENDING) + job "payment.charge";
//   OrderCancelled with a refund due -> job "payment.refund".
// Job outcomes:
//   charge approved  -> payment CAPTURED, PaymentCompleted, order PAID (or, if
//                       the order was cancelled meanwhile, a refund job);
//   declined / retries exhausted -> PaymentFailed, order PAYMENT_FAILED (the
//                       inventory service then releases stock and cancels);
//   refund done      -> RefundCompleted, order REFUNDED (or PARTIALLY_REFUNDED).
// Admin refunds (request_refund): a delivered order is refunded in full or in
// part, several times; what is refunded or being refunded never exceeds the
// capture (the refund jobs of the order are its refund ledger; the gateway
// refuses an excess too).
#pragma once

#include <optional>
#include <string>

#include "bus/bus.h"
#include "jobs/job_runner.h"
#include "services/common/context.h"
#include "services/payments/payment_gateway.h"
#include "store/store.h"

namespace of::services {

struct PaymentOptions {
  int charge_max_attempts = 6;
  int64_t charge_base_backoff_ms = 200;
  int64_t charge_max_backoff_ms = 10'000;
  int64_t charge_timeout_ms = 10'000;
};

// Refunds in flight or done per order at most (each is a job and a gateway call).
inline constexpr int kRefundsPerOrderMax = 100;

struct RefundTicket {
  std::string refund_id;  // the refund job's id
  int64_t amount_minor = 0;
  std::string currency;
  int64_t captured_minor = 0;
  int64_t refunded_before_minor = 0;  // done or in flight before this one
  bool replay = false;                 // the same request key was seen: nothing new enqueued
};

class PaymentService {
 public:
  PaymentService(ServiceContext& context, PaymentGateway& gateway, PaymentOptions options);
  void register_with(bus::Bus& bus, jobs::JobRunner& runner, const bus::RetryPolicy& retry);

  // Enqueues a refund of a DELIVERED or PARTIALLY_REFUNDED order, in the
  // caller's transaction: `amount_minor` unset refunds everything left.
  // kConflict "refund-exceeds-capture" when the amount is more than what is
  // left, "not-refundable" in another status; kNotFound for an unknown order.
  // With a request key (the client's Idempotency-Key), a repeated request
  // returns the first ticket instead of refunding again.
  Result<RefundTicket> request_refund(store::Tx& tx, const OrderId& order_id, std::optional<int64_t> amount_minor,
                                      const std::string& request_key);

 private:
  Status on_inventory_reserved(store::Tx& tx, const core::Event& event);
  Status on_order_cancelled(store::Tx& tx, const core::Event& event);
  jobs::JobOutcome execute_charge(const core::Job& job);
  jobs::JobOutcome execute_refund(const core::Job& job);
  Status on_charge_outcome(store::Tx& tx, const core::Job& job, const jobs::JobOutcome& outcome);
  Status on_refund_outcome(store::Tx& tx, const core::Job& job, const jobs::JobOutcome& outcome);
  Status enqueue_refund(store::Tx& tx, const core::Order& order, const core::Payment& payment);
  core::Job refund_job(const core::Order& order, const core::Payment& payment, const std::string& suffix,
                       int64_t amount_minor);

  ServiceContext& context_;
  PaymentGateway& gateway_;
  PaymentOptions options_;
};

}  // namespace of::services
