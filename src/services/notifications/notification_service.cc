#include "services/notifications/notification_service.h"

#include <boost/json.hpp>

#include "codec/events_json.h"
#include "core/events.h"
#include "core/money.h"
#include "services/common/lifecycle.h"

namespace of::services {

namespace {

constexpr std::string_view kSendJob = "notification.send";

struct NoticeKind {
  std::string_view type;
  std::string_view subject;
};

// Which statuses a customer hears about, and how the message is headed.
std::optional<NoticeKind> notice_for(std::string_view status) {
  if (status == "PAID") return NoticeKind{"order_confirmed", "Your order is confirmed"};
  if (status == "SHIPPED") return NoticeKind{"order_shipped", "Your order has shipped"};
  if (status == "DELIVERED") return NoticeKind{"order_delivered", "Your order was delivered"};
  if (status == "CANCELLED") return NoticeKind{"order_cancelled", "Your order was cancelled"};
  if (status == "REJECTED") return NoticeKind{"order_rejected", "We could not accept your order"};
  if (status == "REFUNDED") return NoticeKind{"order_refunded", "Your refund is on its way"};
  return std::nullopt;
}

std::string member(const boost::json::object& object, std::string_view key) {
  auto* value = object.if_contains(key);
  return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

}  // namespace

NotificationService::NotificationService(ServiceContext& context) : context_(context) {}

void NotificationService::add_channel(NotificationChannel& channel) { channels_[channel.name()] = &channel; }

void NotificationService::register_with(bus::Bus& bus, jobs::JobRunner& runner, const bus::RetryPolicy& retry) {
  bus.subscribe({"notifications",
                 {std::string(core::event_type::kOrderStatusChanged)},
                 [this](store::Tx& tx, const core::Event& event) { return on_status_changed(tx, event); },
                 retry});
  jobs::JobKindSpec send;
  send.kind = std::string(kSendJob);
  send.execute = [this](const core::Job& job) { return execute_send(job); };
  send.on_outcome = [this](store::Tx& tx, const core::Job& job, const jobs::JobOutcome& outcome) {
    return on_send_outcome(tx, job, outcome);
  };
  runner.register_kind(std::move(send));
}

Status NotificationService::on_status_changed(store::Tx& tx, const core::Event& event) {
  OF_ASSIGN_OR_RETURN(auto change, codec::decode_order_status_changed(event.data_json));
  auto notice = notice_for(change.to);
  if (!notice) return Status::ok();
  OF_ASSIGN_OR_RETURN(auto order, load_order(tx, event.subject));
  std::string body = std::string(notice->subject) + ". Order " + order.id.str() + ", total " +
                     core::format_amount(order.totals.total_minor, order.currency) + " " + order.currency.code() +
                     ".";
  if (notice->type == "order_shipped") {
    OF_ASSIGN_OR_RETURN(auto shipment, tx.get_shipment_for_order(order.id));
    if (shipment) body += " Tracking number " + shipment->tracking_number + ".";
  }
  if (!change.reason.empty() && (notice->type == "order_cancelled" || notice->type == "order_rejected")) {
    body += " Reason: " + change.reason + ".";
  }
  for (const auto& [name, channel] : channels_) {
    boost::json::object payload;
    payload["orderId"] = order.id.str();
    payload["type"] = notice->type;
    payload["channel"] = name;
    payload["recipient"] = order.customer_id.str();
    payload["subject"] = notice->subject;
    payload["body"] = body;
    core::Job job;
    job.id = JobId("notify:" + event.id.str() + ":" + name + ":" + order.customer_id.str());
    job.kind = std::string(kSendJob);
    job.subject = order.id.str();
    job.payload_json = boost::json::serialize(payload);
    job.next_attempt_at_ms = context_.now_ms();
    OF_RETURN_IF_ERROR(jobs::enqueue_job(tx, job));
  }
  return Status::ok();
}

jobs::JobOutcome NotificationService::execute_send(const core::Job& job) {
  boost::system::error_code error;
  auto value = boost::json::parse(job.payload_json, error);
  if (error || !value.is_object()) return jobs::JobOutcome::permanent("notification payload is not JSON");
  const auto& payload = value.as_object();
  Notification notification;
  notification.id = job.id.str();
  notification.order_id = member(payload, "orderId");
  notification.type = member(payload, "type");
  notification.channel = member(payload, "channel");
  notification.recipient = member(payload, "recipient");
  notification.subject = member(payload, "subject");
  notification.body = member(payload, "body");
  auto channel = channels_.find(notification.channel);
  if (channel == channels_.end()) return jobs::JobOutcome::permanent("no channel " + notification.channel);
  SendResult result = channel->second->send(notification);
  switch (result.outcome) {
    case SendResult::Outcome::kSent: return jobs::JobOutcome::success();
    case SendResult::Outcome::kPermanentFailure: return jobs::JobOutcome::permanent(result.message);
    case SendResult::Outcome::kTransientError: break;
  }
  return jobs::JobOutcome::transient(result.message);
}

Status NotificationService::on_send_outcome(store::Tx& tx, const core::Job& job, const jobs::JobOutcome& outcome) {
  boost::system::error_code error;
  auto value = boost::json::parse(job.payload_json, error);
  if (error || !value.is_object()) return Status::internal("notification payload is not JSON");
  const auto& payload = value.as_object();
  const TimeMs now = context_.now_ms();
  if (outcome.kind == jobs::JobOutcome::Kind::kSuccess) {
    core::NotificationSentData data;
    data.order_id = OrderId(member(payload, "orderId"));
    data.notification_id = job.id.str();
    data.type = member(payload, "type");
    data.channel = member(payload, "channel");
    data.recipient = member(payload, "recipient");
    data.timestamp = now;
    return emit(tx, context_, core::event_type::kNotificationSent, kSourceNotifications, job.subject,
                codec::encode(data), {})
        .status();
  }
  core::NotificationFailedData data;
  data.order_id = OrderId(member(payload, "orderId"));
  data.notification_id = job.id.str();
  data.type = member(payload, "type");
  data.channel = member(payload, "channel");
  data.recipient = member(payload, "recipient");
  data.reason = outcome.detail;
  data.timestamp = now;
  return emit(tx, context_, core::event_type::kNotificationFailed, kSourceNotifications, job.subject,
              codec::encode(data), {})
      .status();
}

}  // namespace of::services
