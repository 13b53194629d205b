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
//   refund done      -> RefundCompleted, order REFUNDED.
#pragma once

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

class PaymentService {
 public:
  PaymentService(ServiceContext& context, PaymentGateway& gateway, PaymentOptions options);
  void register_with(bus::Bus& bus, jobs::JobRunner& runner, const bus::RetryPolicy& retry);

 private:
  Status on_inventory_reserved(store::Tx& tx, const core::Event& event);
  Status on_order_cancelled(store::Tx& tx, const core::Event& event);
  jobs::JobOutcome execute_charge(const core::Job& job);
  jobs::JobOutcome execute_refund(const core::Job& job);
  Status on_charge_outcome(store::Tx& tx, const core::Job& job, const jobs::JobOutcome& outcome);
  Status on_refund_outcome(store::Tx& tx, const core::Job& job, const jobs::JobOutcome& outcome);
  Status enqueue_refund(store::Tx& tx, const core::Order& order, const core::Payment& payment);

  ServiceContext& context_;
  PaymentGateway& gateway_;
  PaymentOptions options_;
};

}  // namespace of::services
