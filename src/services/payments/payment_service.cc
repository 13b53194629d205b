#include "services/payments/payment_service.h"

#include <boost/json.hpp>

#include "codec/events_json.h"
#include "core/events.h"
#include "services/common/lifecycle.h"

namespace of::services {

namespace {

constexpr std::string_view kChargeJob = "payment.charge";
constexpr std::string_view kRefundJob = "payment.refund";

// The job payload carries what the executor needs, so it reads nothing from
// the store. The payment token is the storefront's token, never a card number.
std::string charge_payload(const core::Order& order, const core::Payment& payment) {
  boost::json::object object;
  object["orderId"] = order.id.str();
  object["paymentId"] = payment.id.str();
  object["idempotencyKey"] = payment.idempotency_key;
  object["paymentToken"] = order.payment_token;
  object["amount"] = payment.amount_minor;
  object["currency"] = payment.currency.code();
  return boost::json::serialize(object);
}

std::string string_member(const boost::json::object& object, std::string_view key) {
  auto* value = object.if_contains(key);
  return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

int64_t int_member(const boost::json::object& object, std::string_view key) {
  auto* value = object.if_contains(key);
  return value && value->is_int64() ? value->as_int64() : 0;
}

Result<boost::json::object> parse_object(const std::string& json) {
  boost::system::error_code error;
  auto value = boost::json::parse(json, error);
  if (error || !value.is_object()) return Status::internal("job payload is not a JSON object: " + json);
  return value.as_object();
}

jobs::JobOutcome from_gateway(const GatewayResult& result) {
  switch (result.outcome) {
    case GatewayResult::Outcome::kApproved: {
      boost::json::object object;
      object["reference"] = result.reference;
      return jobs::JobOutcome::success(boost::json::serialize(object));
    }
    case GatewayResult::Outcome::kDeclined:
      return jobs::JobOutcome::permanent(result.decline_code.empty() ? "declined" : result.decline_code);
    case GatewayResult::Outcome::kTransientError:
      break;
  }
  return jobs::JobOutcome::transient(result.message.empty() ? "gateway unavailable" : result.message);
}

}  // namespace

PaymentService::PaymentService(ServiceContext& context, PaymentGateway& gateway, PaymentOptions options)
    : context_(context), gateway_(gateway), options_(options) {}

void PaymentService::register_with(bus::Bus& bus, jobs::JobRunner& runner, const bus::RetryPolicy& retry) {
  bus.subscribe({"payments",
                 {std::string(core::event_type::kInventoryReserved), std::string(core::event_type::kOrderCancelled)},
                 [this](store::Tx& tx, const core::Event& event) -> Status {
                   if (event.type == core::event_type::kInventoryReserved) return on_inventory_reserved(tx, event);
                   return on_order_cancelled(tx, event);
                 },
                 retry});
  jobs::JobKindSpec charge;
  charge.kind = std::string(kChargeJob);
  charge.execute = [this](const core::Job& job) { return execute_charge(job); };
  charge.on_outcome = [this](store::Tx& tx, const core::Job& job, const jobs::JobOutcome& outcome) {
    return on_charge_outcome(tx, job, outcome);
  };
  charge.max_attempts = options_.charge_max_attempts;
  charge.base_backoff_ms = options_.charge_base_backoff_ms;
  charge.max_backoff_ms = options_.charge_max_backoff_ms;
  charge.timeout_ms = options_.charge_timeout_ms;
  runner.register_kind(std::move(charge));

  jobs::JobKindSpec refund;
  refund.kind = std::string(kRefundJob);
  refund.execute = [this](const core::Job& job) { return execute_refund(job); };
  refund.on_outcome = [this](store::Tx& tx, const core::Job& job, const jobs::JobOutcome& outcome) {
    return on_refund_outcome(tx, job, outcome);
  };
  refund.max_attempts = 10;
  refund.timeout_ms = options_.charge_timeout_ms;
  runner.register_kind(std::move(refund));
}

Status PaymentService::on_inventory_reserved(store::Tx& tx, const core::Event& event) {
  OF_ASSIGN_OR_RETURN(auto order, load_order(tx, event.subject));
  if (order.status != core::OrderStatus::kReserved) return Status::ok();
  OF_ASSIGN_OR_RETURN(auto existing, tx.get_payment_for_order(order.id));
  if (existing) return Status::ok();
  const TimeMs now = context_.now_ms();
  core::Payment payment;
  payment.id = PaymentId(context_.new_id());
  payment.order_id = order.id;
  payment.state = core::PaymentState::kPending;
  payment.amount_minor = order.totals.total_minor;
  payment.currency = order.currency;
  payment.idempotency_key = "order-" + order.id.str() + "-charge";
  payment.created_at_ms = now;
  payment.updated_at_ms = now;
  OF_RETURN_IF_ERROR(tx.put_payment(payment));
  core::Job job;
  job.id = JobId("charge:" + order.id.str());
  job.kind = std::string(kChargeJob);
  job.subject = order.id.str();
  job.payload_json = charge_payload(order, payment);
  job.next_attempt_at_ms = now;
  return jobs::enqueue_job(tx, job);
}

Status PaymentService::on_order_cancelled(store::Tx& tx, const core::Event& event) {
  OF_ASSIGN_OR_RETURN(auto data, parse_object(event.data_json));
  auto* refund_due = data.if_contains("refundDue");
  if (!refund_due || !refund_due->is_bool() || !refund_due->as_bool()) return Status::ok();
  OF_ASSIGN_OR_RETURN(auto order, load_order(tx, event.subject));
  OF_ASSIGN_OR_RETURN(auto payment, tx.get_payment_for_order(order.id));
  if (!payment || payment->state != core::PaymentState::kCaptured) return Status::ok();
  return enqueue_refund(tx, order, *payment);
}

Status PaymentService::enqueue_refund(store::Tx& tx, const core::Order& order, const core::Payment& payment) {
  return jobs::enqueue_job(tx, refund_job(order, payment, "full", payment.amount_minor - payment.refunded_minor));
}

// Job id "refund:<order>:<suffix>", gateway key "order-<order>-refund-<suffix>":
// one refund, one key, whatever is retried.
core::Job PaymentService::refund_job(const core::Order& order, const core::Payment& payment, const std::string& suffix,
                                     int64_t amount_minor) {
  boost::json::object object;
  object["orderId"] = order.id.str();
  object["paymentId"] = payment.id.str();
  object["idempotencyKey"] = "order-" + order.id.str() + "-refund-" + suffix;
  object["reference"] = payment.gateway_reference;
  object["amount"] = amount_minor;
  object["currency"] = payment.currency.code();
  core::Job job;
  job.id = JobId("refund:" + order.id.str() + ":" + suffix);
  job.kind = std::string(kRefundJob);
  job.subject = order.id.str();
  job.payload_json = boost::json::serialize(object);
  job.next_attempt_at_ms = context_.now_ms();
  job.created_at_ms = job.next_attempt_at_ms;
  return job;
}

Result<RefundTicket> PaymentService::request_refund(store::Tx& tx, const OrderId& order_id,
                                                    std::optional<int64_t> amount_minor,
                                                    const std::string& request_key) {
  OF_ASSIGN_OR_RETURN(auto found_order, tx.get_order(order_id));
  if (!found_order) return Status::not_found("order " + order_id.str() + " does not exist");
  const core::Order& order = *found_order;
  if (order.status != core::OrderStatus::kDelivered && order.status != core::OrderStatus::kPartiallyRefunded) {
    return Status::conflict("order " + order_id.str() + " is " + std::string(core::to_string(order.status)) +
                            "; only a DELIVERED or PARTIALLY_REFUNDED order is refunded this way (cancel one "
                            "that has not shipped: it is refunded in full)")
        .with_problem("not-refundable");
  }
  OF_ASSIGN_OR_RETURN(auto found_payment, tx.get_payment_for_order(order_id));
  if (!found_payment || (found_payment->state != core::PaymentState::kCaptured &&
                         found_payment->state != core::PaymentState::kPartiallyRefunded)) {
    return Status::conflict("order " + order_id.str() + " has no captured payment to refund")
        .with_problem("not-refundable");
  }
  const core::Payment& payment = *found_payment;
  // The refund ledger: every refund job of the order, done or in flight.
  // Dead or declined ones refunded nothing.
  OF_ASSIGN_OR_RETURN(auto jobs_of_order, tx.jobs_for_subject(order_id.str()));
  int64_t committed = 0;
  int refunds = 0;
  for (const auto& job : jobs_of_order) {
    if (job.kind != kRefundJob) continue;
    ++refunds;
    auto payload = parse_object(job.payload_json);
    int64_t amount = payload ? int_member(*payload, "amount") : 0;
    if (!request_key.empty() && job.id.str() == "refund:" + order_id.str() + ":req-" + request_key) {
      return RefundTicket{job.id.str(), amount, payment.currency.code(), payment.amount_minor, 0, true};
    }
    bool failed = job.state == core::JobState::kDead ||
                  (job.state == core::JobState::kDone && job.result_json.empty());
    if (!failed) committed += amount;
  }
  if (refunds >= kRefundsPerOrderMax) {
    return Status::limit("order " + order_id.str() + " has " + std::to_string(refunds) + " refunds, the most allowed");
  }
  const int64_t refundable = payment.amount_minor - committed;
  const int64_t amount = amount_minor.value_or(refundable);
  auto details = [&] {
    boost::json::object object{{"captured", payment.amount_minor},
                               {"refunded", committed},
                               {"refundable", refundable},
                               {"currency", payment.currency.code()}};
    return boost::json::serialize(object);
  };
  if (amount < 1 || amount > refundable) {
    return Status::conflict("a refund of " + std::to_string(amount) + " exceeds what is left to refund on order " +
                            order_id.str() + ": " + std::to_string(refundable) + " of the " +
                            std::to_string(payment.amount_minor) + " captured (" + std::to_string(committed) +
                            " refunded or being refunded)",
                            "amount")
        .with_problem("refund-exceeds-capture", details());
  }
  std::string suffix = request_key.empty() ? std::to_string(refunds + 1) : "req-" + request_key;
  core::Job job = refund_job(order, payment, suffix, amount);
  OF_RETURN_IF_ERROR(jobs::enqueue_job(tx, job));
  return RefundTicket{job.id.str(), amount, payment.currency.code(), payment.amount_minor, committed, false};
}

jobs::JobOutcome PaymentService::execute_charge(const core::Job& job) {
  auto payload = parse_object(job.payload_json);
  if (!payload) return jobs::JobOutcome::permanent(payload.status().message());
  ChargeRequest request;
  request.idempotency_key = string_member(*payload, "idempotencyKey");
  request.order_id = OrderId(string_member(*payload, "orderId"));
  request.payment_token = string_member(*payload, "paymentToken");
  request.amount_minor = int_member(*payload, "amount");
  request.currency = string_member(*payload, "currency");
  return from_gateway(gateway_.charge(request));
}

jobs::JobOutcome PaymentService::execute_refund(const core::Job& job) {
  auto payload = parse_object(job.payload_json);
  if (!payload) return jobs::JobOutcome::permanent(payload.status().message());
  RefundRequest request;
  request.idempotency_key = string_member(*payload, "idempotencyKey");
  request.charge_reference = string_member(*payload, "reference");
  request.amount_minor = int_member(*payload, "amount");
  request.currency = string_member(*payload, "currency");
  return from_gateway(gateway_.refund(request));
}

Status PaymentService::on_charge_outcome(store::Tx& tx, const core::Job& job, const jobs::JobOutcome& outcome) {
  OF_ASSIGN_OR_RETURN(auto order, load_order(tx, job.subject));
  OF_ASSIGN_OR_RETURN(auto found, tx.get_payment_for_order(order.id));
  if (!found) return Status::internal("charge job for order " + order.id.str() + " without a payment record");
  core::Payment payment = std::move(*found);
  if (payment.state != core::PaymentState::kPending) return Status::ok();  // already settled
  const TimeMs now = context_.now_ms();
  payment.updated_at_ms = now;

  if (outcome.kind == jobs::JobOutcome::Kind::kSuccess) {
    auto result = parse_object(outcome.result_json);
    payment.state = core::PaymentState::kCaptured;
    payment.gateway_reference = result ? string_member(*result, "reference") : std::string();
    OF_RETURN_IF_ERROR(tx.put_payment(payment));
    if (order.status != core::OrderStatus::kReserved) {
      // The order was cancelled (or its reservation expired) while the charge
      // was in flight: the money goes back.
      return enqueue_refund(tx, order, payment);
    }
    core::PaymentCompletedData data;
    data.order_id = order.id;
    data.payment_id = payment.id;
    data.amount = payment.amount_minor;
    data.currency = payment.currency.code();
    data.status = "CAPTURED";
    data.timestamp = now;
    OF_RETURN_IF_ERROR(emit(tx, context_, core::event_type::kPaymentCompleted, kSourcePayments, order.id.str(),
                            codec::encode(data), order.traceparent)
                           .status());
    return transition(tx, context_, order, core::OrderStatus::kPaid, "payment captured");
  }

  payment.state = core::PaymentState::kFailed;
  payment.failure_reason = outcome.kind == jobs::JobOutcome::Kind::kPermanentFailure
                               ? outcome.detail
                               : "retries_exhausted: " + outcome.detail;
  OF_RETURN_IF_ERROR(tx.put_payment(payment));
  if (order.status != core::OrderStatus::kReserved) return Status::ok();
  core::PaymentFailedData data;
  data.order_id = order.id;
  data.payment_id = payment.id;
  data.amount = payment.amount_minor;
  data.currency = payment.currency.code();
  data.reason = payment.failure_reason;
  data.timestamp = now;
  OF_RETURN_IF_ERROR(emit(tx, context_, core::event_type::kPaymentFailed, kSourcePayments, order.id.str(),
                          codec::encode(data), order.traceparent)
                         .status());
  return transition(tx, context_, order, core::OrderStatus::kPaymentFailed, payment.failure_reason);
}

Status PaymentService::on_refund_outcome(store::Tx& tx, const core::Job& job, const jobs::JobOutcome& outcome) {
  OF_ASSIGN_OR_RETURN(auto order, load_order(tx, job.subject));
  OF_ASSIGN_OR_RETURN(auto found, tx.get_payment_for_order(order.id));
  if (!found) return Status::internal("refund job for order " + order.id.str() + " without a payment record");
  if (outcome.kind != jobs::JobOutcome::Kind::kSuccess) {
    // Parked in the dead-letter store by the runner; an operator redrives it.
    return Status::ok();
  }
  core::Payment payment = std::move(*found);
  OF_ASSIGN_OR_RETURN(auto payload, parse_object(job.payload_json));
  const int64_t amount = int_member(payload, "amount");
  const TimeMs now = context_.now_ms();
  payment.refunded_minor += amount;
  payment.state = payment.refunded_minor >= payment.amount_minor ? core::PaymentState::kRefunded
                                                                 : core::PaymentState::kPartiallyRefunded;
  payment.updated_at_ms = now;
  OF_RETURN_IF_ERROR(tx.put_payment(payment));
  order.refunded_minor += amount;
  auto result = parse_object(outcome.result_json);
  core::RefundCompletedData data;
  data.order_id = order.id;
  data.payment_id = payment.id;
  data.refund_id = result ? string_member(*result, "reference") : std::string();
  data.amount = amount;
  data.currency = payment.currency.code();
  data.timestamp = now;
  OF_RETURN_IF_ERROR(emit(tx, context_, core::event_type::kRefundCompleted, kSourcePayments, order.id.str(),
                          codec::encode(data), order.traceparent)
                         .status());
  const core::OrderStatus to = payment.state == core::PaymentState::kRefunded ? core::OrderStatus::kRefunded
                                                                            : core::OrderStatus::kPartiallyRefunded;
  // A second partial refund leaves the status as it is: not a transition.
  if (order.status == to) return tx.update_order(order);
  return transition(tx, context_, order, to, "refund completed");
}

}  // namespace of::services
