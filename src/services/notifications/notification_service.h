// NotificationService: tells customers what happened to their order.
//
// Subscription "notifications" on OrderStatusChanged: for the statuses a
// customer hears about (PAID = confirmed, SHIPPED, DELIVERED, CANCELLED,
// REJECTED, REFUNDED), one "notification.send" job per channel, with a job id
// derived from the event and channel, so a redelivered event sends nothing
// twice. The job's outcome emits NotificationSent or NotificationFailed.
// Templates, preferences and real channels come with the notifications work;
// today the message text is built here and the recipient is the customer id.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "bus/bus.h"
#include "jobs/job_runner.h"
#include "services/common/context.h"
#include "services/notifications/notification_channel.h"
#include "store/store.h"

namespace of::services {

class NotificationService {
 public:
  explicit NotificationService(ServiceContext& context);
  // Channels must outlive the service. Add before register_with().
  void add_channel(NotificationChannel& channel);
  void register_with(bus::Bus& bus, jobs::JobRunner& runner, const bus::RetryPolicy& retry);

 private:
  Status on_status_changed(store::Tx& tx, const core::Event& event);
  jobs::JobOutcome execute_send(const core::Job& job);
  Status on_send_outcome(store::Tx& tx, const core::Job& job, const jobs::JobOutcome& outcome);

  ServiceContext& context_;
  std::map<std::string, NotificationChannel*> channels_;
};

}  // namespace of::services
