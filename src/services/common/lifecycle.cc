#include "services/common/lifecycle.h"

#include "codec/events_json.h"
#include "core/events.h"

namespace of::services {

Result<int64_t> emit(store::Tx& tx, ServiceContext& context, std::string_view type, std::string_view source,
                     const std::string& subject, std::string data_json, const std::string& traceparent) {
  core::Event event;
  event.id = EventId(context.new_id());
  event.type = std::string(type);
  event.source = std::string(source);
  event.subject = subject;
  event.time_ms = context.now_ms();
  event.traceparent = traceparent;
  event.data_json = std::move(data_json);
  return tx.append_event(event);
}

Status transition(store::Tx& tx, ServiceContext& context, core::Order& order, core::OrderStatus to,
                  std::string reason) {
  OF_RETURN_IF_ERROR(core::check_transition(order.status, to));
  const TimeMs now = context.now_ms();
  core::OrderStatusChangedData data;
  data.order_id = order.id;
  data.customer_id = order.customer_id;
  data.from = std::string(core::to_string(order.status));
  data.to = std::string(core::to_string(to));
  data.reason = reason;
  data.timestamp = now;
  OF_ASSIGN_OR_RETURN(int64_t seq, emit(tx, context, core::event_type::kOrderStatusChanged, kSourceOrders,
                                        order.id.str(), codec::encode(data), order.traceparent));
  core::StatusChange change;
  change.event_seq = seq;
  change.from = order.status;
  change.to = to;
  change.reason = std::move(reason);
  change.at_ms = now;
  order.status = to;
  order.updated_at_ms = now;
  order.version += 1;
  OF_RETURN_IF_ERROR(tx.update_order(order));
  return tx.append_status_change(order.id, change);
}

Result<core::Order> load_order(store::Tx& tx, const std::string& order_id) {
  OF_ASSIGN_OR_RETURN(auto order, tx.get_order(OrderId(order_id)));
  if (!order) return Status::not_found("order " + order_id + " does not exist");
  return std::move(*order);
}

}  // namespace of::services
