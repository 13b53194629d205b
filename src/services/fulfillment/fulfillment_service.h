// FulfillmentService: ships paid orders and records their delivery.
//
// Subscription "fulfillment":
//   PaymentCompleted -> shipment with a tracking number, the reserved units
//                       leave stock (reserved -> sold), OrderShipped, order
//                       SHIPPED, and a "carrier.deliver" job due after the
//                       configured delivery delay.
// Job "carrier.deliver" -> OrderDelivered, order DELIVERED.
#pragma once

#include <cstdint>

#include "bus/bus.h"
#include "jobs/job_runner.h"
#include "services/common/context.h"
#include "services/fulfillment/carrier.h"
#include "services/inventory/inventory_service.h"
#include "store/store.h"

namespace of::services {

struct FulfillmentOptions {
  int64_t delivery_delay_ms = 2000;
  // inventory.low_stock_threshold: shipping changes stock, which checks it.
  int64_t low_stock_threshold = kLowStockThresholdDefault;
};

class FulfillmentService {
 public:
  FulfillmentService(ServiceContext& context, Carrier& carrier, FulfillmentOptions options);
  void register_with(bus::Bus& bus, jobs::JobRunner& runner, const bus::RetryPolicy& retry);

 private:
  Status on_payment_completed(store::Tx& tx, const core::Event& event);
  Status on_delivered(store::Tx& tx, const core::Job& job, const jobs::JobOutcome& outcome);

  ServiceContext& context_;
  Carrier& carrier_;
  FulfillmentOptions options_;
};

}  // namespace of::services
