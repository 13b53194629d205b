#include "services/fulfillment/fulfillment_service.h"

#include "codec/events_json.h"
#include "core/events.h"
#include "services/common/lifecycle.h"
#include "services/inventory/inventory_service.h"

namespace of::services {

namespace {
constexpr std::string_view kDeliverJob = "carrier.deliver";
}  // namespace

FulfillmentService::FulfillmentService(ServiceContext& context, Carrier& carrier, FulfillmentOptions options)
    : context_(context), carrier_(carrier), options_(options) {}

void FulfillmentService::register_with(bus::Bus& bus, jobs::JobRunner& runner, const bus::RetryPolicy& retry) {
  bus.subscribe({"fulfillment",
                 {std::string(core::event_type::kPaymentCompleted)},
                 [this](store::Tx& tx, const core::Event& event) { return on_payment_completed(tx, event); },
                 retry});
  jobs::JobKindSpec deliver;
  deliver.kind = std::string(kDeliverJob);
  deliver.execute = [this](const core::Job& job) {
    CarrierResult result = carrier_.deliver(job.payload_json);
    switch (result.outcome) {
      case CarrierResult::Outcome::kDelivered: return jobs::JobOutcome::success();
      case CarrierResult::Outcome::kFailed: return jobs::JobOutcome::permanent(result.message);
      case CarrierResult::Outcome::kTransientError: break;
    }
    return jobs::JobOutcome::transient(result.message);
  };
  deliver.on_outcome = [this](store::Tx& tx, const core::Job& job, const jobs::JobOutcome& outcome) {
    return on_delivered(tx, job, outcome);
  };
  runner.register_kind(std::move(deliver));
}

Status FulfillmentService::on_payment_completed(store::Tx& tx, const core::Event& event) {
  OF_ASSIGN_OR_RETURN(auto order, load_order(tx, event.subject));
  if (order.status != core::OrderStatus::kPaid) return Status::ok();
  OF_ASSIGN_OR_RETURN(auto existing, tx.get_shipment_for_order(order.id));
  if (existing) return Status::ok();
  OF_RETURN_IF_ERROR(commit_reservation(tx, context_, order, options_.low_stock_threshold));
  const TimeMs now = context_.now_ms();
  core::Shipment shipment;
  shipment.id = ShipmentId(context_.new_id());
  shipment.order_id = order.id;
  shipment.carrier = carrier_.name();
  // Tracking numbers are unique per shipment; the tail of a UUIDv7 is random.
  const std::string& id = shipment.id.str();
  shipment.tracking_number = "OF" + id.substr(0, 8) + id.substr(24);
  shipment.state = core::ShipmentState::kShipped;
  shipment.shipped_at_ms = now;
  OF_RETURN_IF_ERROR(tx.put_shipment(shipment));

  core::OrderShippedData data;
  data.order_id = order.id;
  data.shipment_id = shipment.id;
  data.carrier = shipment.carrier;
  data.tracking_number = shipment.tracking_number;
  data.timestamp = now;
  OF_RETURN_IF_ERROR(emit(tx, context_, core::event_type::kOrderShipped, kSourceFulfillment, order.id.str(),
                          codec::encode(data), order.traceparent)
                         .status());
  core::Job job;
  job.id = JobId("deliver:" + order.id.str());
  job.kind = std::string(kDeliverJob);
  job.subject = order.id.str();
  job.payload_json = shipment.tracking_number;
  job.next_attempt_at_ms = now + options_.delivery_delay_ms;
  OF_RETURN_IF_ERROR(jobs::enqueue_job(tx, job));
  return transition(tx, context_, order, core::OrderStatus::kShipped,
                    "shipped with " + shipment.carrier + ", tracking " + shipment.tracking_number);
}

Status FulfillmentService::on_delivered(store::Tx& tx, const core::Job& job, const jobs::JobOutcome& outcome) {
  if (outcome.kind != jobs::JobOutcome::Kind::kSuccess) return Status::ok();  // parked for an operator
  OF_ASSIGN_OR_RETURN(auto order, load_order(tx, job.subject));
  OF_ASSIGN_OR_RETURN(auto shipment, tx.get_shipment_for_order(order.id));
  if (!shipment) return Status::internal("delivery for order " + order.id.str() + " without a shipment");
  if (shipment->state == core::ShipmentState::kDelivered) return Status::ok();
  const TimeMs now = context_.now_ms();
  shipment->state = core::ShipmentState::kDelivered;
  shipment->delivered_at_ms = now;
  OF_RETURN_IF_ERROR(tx.put_shipment(*shipment));
  core::OrderDeliveredData data;
  data.order_id = order.id;
  data.shipment_id = shipment->id;
  data.timestamp = now;
  OF_RETURN_IF_ERROR(emit(tx, context_, core::event_type::kOrderDelivered, kSourceFulfillment, order.id.str(),
                          codec::encode(data), order.traceparent)
                         .status());
  if (order.status != core::OrderStatus::kShipped) return Status::ok();  // refunded after shipping, say
  return transition(tx, context_, order, core::OrderStatus::kDelivered, "delivered by " + shipment->carrier);
}

}  // namespace of::services
