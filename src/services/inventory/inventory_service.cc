#include "services/inventory/inventory_service.h"

#include <map>
#include <memory>

#include "base/assert.h"
#include "codec/events_json.h"
#include "core/events.h"
#include "services/common/lifecycle.h"

namespace of::services {

namespace {

constexpr std::string_view kExpireJob = "reservation.expire";

// Summed demand per product, so two lines of one product are checked together.
std::map<Sku, int64_t> demand_of(const core::Order& order) {
  std::map<Sku, int64_t> demand;
  for (const auto& line : order.lines) demand[line.product_id] += line.quantity;
  return demand;
}

core::Job expiry_job(const core::Order& order, TimeMs at_ms, int generation) {
  core::Job job;
  job.id = JobId("expire:" + order.id.str() + ":" + std::to_string(generation));
  job.kind = std::string(kExpireJob);
  job.subject = order.id.str();
  job.payload_json = "{\"generation\":" + std::to_string(generation) + "}";
  job.next_attempt_at_ms = at_ms;
  return job;
}

constexpr int kStockScanPage = 500;

}  // namespace

Status check_low_stock(store::Tx& tx, ServiceContext& context, core::StockLevel& stock, int64_t default_threshold,
                       const std::string& traceparent) {
  const int64_t threshold = stock.effective_low_stock_threshold(default_threshold);
  const int64_t available = stock.available();
  if (available >= threshold) {
    stock.low_stock_alerted = false;  // recovered: the next crossing alerts again
    return Status::ok();
  }
  if (stock.low_stock_alerted) return Status::ok();  // this crossing was reported already
  stock.low_stock_alerted = true;
  core::LowStockData data;
  data.product_id = stock.product_id;
  data.available = available;
  data.threshold = threshold;
  data.timestamp = context.now_ms();
  return emit(tx, context, core::event_type::kLowStock, kSourceInventory, stock.product_id.str(), codec::encode(data),
              traceparent)
      .status();
}

Status release_reservation(store::Tx& tx, ServiceContext& context, const core::Order& order, const std::string& reason,
                           int64_t low_stock_threshold_default) {
  OF_ASSIGN_OR_RETURN(auto reservation, tx.get_reservation_for_order(order.id));
  if (!reservation || reservation->state != core::ReservationState::kActive) return Status::ok();
  const TimeMs now = context.now_ms();
  for (const auto& item : reservation->items) {
    OF_ASSIGN_OR_RETURN(auto stock, tx.get_stock(item.product_id));
    if (!stock) return Status::internal("reserved product " + item.product_id.str() + " has no stock row");
    stock->reserved -= item.quantity;
    stock->updated_at_ms = now;
    OF_RETURN_IF_ERROR(check_low_stock(tx, context, *stock, low_stock_threshold_default, order.traceparent));
    OF_RETURN_IF_ERROR(tx.put_stock(*stock));
  }
  reservation->state = core::ReservationState::kReleased;
  reservation->release_reason = reason;
  reservation->updated_at_ms = now;
  OF_RETURN_IF_ERROR(tx.put_reservation(*reservation));
  core::InventoryReleasedData data;
  data.order_id = order.id;
  data.reservation_id = reservation->id;
  for (const auto& item : reservation->items) data.items.push_back({item.product_id, item.quantity});
  data.reason = reason;
  data.timestamp = now;
  return emit(tx, context, core::event_type::kInventoryReleased, kSourceInventory, order.id.str(),
              codec::encode(data), order.traceparent)
      .status();
}

Status commit_reservation(store::Tx& tx, ServiceContext& context, const core::Order& order,
                          int64_t low_stock_threshold_default) {
  OF_ASSIGN_OR_RETURN(auto reservation, tx.get_reservation_for_order(order.id));
  if (!reservation || reservation->state != core::ReservationState::kActive) {
    return Status::internal("order " + order.id.str() + " has no active reservation to ship from");
  }
  const TimeMs now = context.now_ms();
  for (const auto& item : reservation->items) {
    OF_ASSIGN_OR_RETURN(auto stock, tx.get_stock(item.product_id));
    if (!stock) return Status::internal("reserved product " + item.product_id.str() + " has no stock row");
    stock->reserved -= item.quantity;
    stock->on_hand -= item.quantity;
    stock->sold += item.quantity;
    stock->updated_at_ms = now;
    OF_RETURN_IF_ERROR(check_low_stock(tx, context, *stock, low_stock_threshold_default, order.traceparent));
    OF_RETURN_IF_ERROR(tx.put_stock(*stock));
  }
  reservation->state = core::ReservationState::kCommitted;
  reservation->updated_at_ms = now;
  return tx.put_reservation(*reservation);
}

InventoryService::InventoryService(store::Store& store, ServiceContext& context, InventoryOptions options)
    : store_(store), context_(context), options_(options) {}

void InventoryService::register_with(bus::Bus& bus, jobs::JobRunner& runner, const bus::RetryPolicy& retry) {
  bus.subscribe({"inventory",
                 {std::string(core::event_type::kOrderCreated), std::string(core::event_type::kPaymentFailed),
                  std::string(core::event_type::kOrderCancelled)},
                 [this](store::Tx& tx, const core::Event& event) -> Status {
                   if (event.type == core::event_type::kOrderCreated) return on_order_created(tx, event);
                   if (event.type == core::event_type::kPaymentFailed) return on_payment_failed(tx, event);
                   return on_order_cancelled(tx, event);
                 },
                 retry});
  jobs::JobKindSpec expire;
  expire.kind = std::string(kExpireJob);
  // A timer, not a side effect: nothing to call outside, the outcome does the work.
  expire.execute = [](const core::Job&) { return jobs::JobOutcome::success(); };
  expire.on_outcome = [this](store::Tx& tx, const core::Job& job, const jobs::JobOutcome&) {
    return on_reservation_expired(tx, job);
  };
  expire.max_attempts = 3;
  expire.timeout_ms = 1000;
  runner.register_kind(std::move(expire));
}

Status InventoryService::on_order_created(store::Tx& tx, const core::Event& event) {
  OF_ASSIGN_OR_RETURN(auto order, load_order(tx, event.subject));
  if (order.status != core::OrderStatus::kPending) return Status::ok();  // cancelled before we got to it
  const TimeMs now = context_.now_ms();
  const auto demand = demand_of(order);

  std::vector<core::StockLevel> levels;
  core::InventoryReservationFailedData failed;
  for (const auto& [sku, quantity] : demand) {
    OF_ASSIGN_OR_RETURN(auto stock, tx.get_stock(sku));
    int64_t available = stock ? stock->available() : 0;
    if (available < quantity) failed.items.push_back({sku, quantity, available});
    if (stock) levels.push_back(*stock);
  }
  if (!failed.items.empty()) {
    failed.order_id = order.id;
    failed.reason = "out_of_stock";
    failed.timestamp = now;
    OF_RETURN_IF_ERROR(emit(tx, context_, core::event_type::kInventoryReservationFailed, kSourceInventory,
                            order.id.str(), codec::encode(failed), order.traceparent)
                           .status());
    return transition(tx, context_, order, core::OrderStatus::kRejected, "out of stock");
  }

  core::Reservation reservation;
  reservation.id = ReservationId(context_.new_id());
  reservation.order_id = order.id;
  reservation.state = core::ReservationState::kActive;
  reservation.created_at_ms = now;
  reservation.updated_at_ms = now;
  reservation.expires_at_ms = now + options_.reservation_ttl_ms;
  for (auto& stock : levels) {
    int64_t quantity = demand.at(stock.product_id);
    stock.reserved += quantity;
    stock.updated_at_ms = now;
    OF_RETURN_IF_ERROR(check_low_stock(tx, context_, stock, options_.low_stock_threshold, order.traceparent));
    OF_RETURN_IF_ERROR(tx.put_stock(stock));
    reservation.items.push_back({stock.product_id, quantity});
  }
  OF_RETURN_IF_ERROR(tx.put_reservation(reservation));

  core::InventoryReservedData reserved;
  reserved.order_id = order.id;
  reserved.reservation_id = reservation.id;
  for (const auto& item : reservation.items) reserved.items.push_back({item.product_id, item.quantity});
  reserved.expires_at = reservation.expires_at_ms;
  reserved.timestamp = now;
  OF_RETURN_IF_ERROR(emit(tx, context_, core::event_type::kInventoryReserved, kSourceInventory, order.id.str(),
                          codec::encode(reserved), order.traceparent)
                         .status());
  OF_RETURN_IF_ERROR(jobs::enqueue_job(tx, expiry_job(order, reservation.expires_at_ms, 0)));
  return transition(tx, context_, order, core::OrderStatus::kReserved, "stock reserved");
}

Status InventoryService::on_payment_failed(store::Tx& tx, const core::Event& event) {
  OF_ASSIGN_OR_RETURN(auto order, load_order(tx, event.subject));
  OF_RETURN_IF_ERROR(release_reservation(tx, context_, order, "payment_failed", options_.low_stock_threshold));
  if (order.status != core::OrderStatus::kPaymentFailed) return Status::ok();
  return transition(tx, context_, order, core::OrderStatus::kCancelled, "payment failed");
}

Status InventoryService::on_order_cancelled(store::Tx& tx, const core::Event& event) {
  OF_ASSIGN_OR_RETURN(auto order, load_order(tx, event.subject));
  return release_reservation(tx, context_, order, "cancelled", options_.low_stock_threshold);
}

Status InventoryService::on_reservation_expired(store::Tx& tx, const core::Job& job) {
  OF_ASSIGN_OR_RETURN(auto order, load_order(tx, job.subject));
  if (order.status != core::OrderStatus::kReserved) return Status::ok();  // paid, cancelled or failed since
  OF_ASSIGN_OR_RETURN(auto reservation, tx.get_reservation_for_order(order.id));
  if (!reservation || reservation->state != core::ReservationState::kActive) return Status::ok();
  // A payment still queued or being tried keeps its stock: extend the reservation.
  OF_ASSIGN_OR_RETURN(auto order_jobs, tx.jobs_for_subject(order.id.str()));
  bool payment_in_flight = false;
  int generation = 0;
  for (const auto& other : order_jobs) {
    if (other.kind == "payment.charge" &&
        (other.state == core::JobState::kQueued || other.state == core::JobState::kRunning)) {
      payment_in_flight = true;
    }
    if (other.kind == kExpireJob) ++generation;
  }
  const TimeMs now = context_.now_ms();
  if (payment_in_flight) {
    reservation->expires_at_ms = now + options_.payment_extension_ms;
    reservation->updated_at_ms = now;
    OF_RETURN_IF_ERROR(tx.put_reservation(*reservation));
    return jobs::enqueue_job(tx, expiry_job(order, reservation->expires_at_ms, generation));
  }
  OF_RETURN_IF_ERROR(release_reservation(tx, context_, order, "expired", options_.low_stock_threshold));
  return transition(tx, context_, order, core::OrderStatus::kCancelled, "reservation expired before payment");
}

void InventoryService::set_on_hand(const Sku& product_id, int64_t on_hand, std::optional<int64_t> low_stock_threshold,
                                   std::function<void(Result<core::StockLevel>)> done) {
  auto result = std::make_shared<core::StockLevel>();
  store_.submit(
      [this, product_id, on_hand, low_stock_threshold, result](store::Tx& tx) -> Status {
        OF_ASSIGN_OR_RETURN(auto product, tx.get_product(product_id));
        if (!product) {
          return Status::not_found("product " + product_id.str() + " does not exist; PUT /v1/products/" +
                                   product_id.str() + " first");
        }
        OF_ASSIGN_OR_RETURN(auto stock, tx.get_stock(product_id));
        core::StockLevel level = stock ? *stock : core::StockLevel{product_id, 0, 0, 0, 0};
        if (on_hand < level.reserved) {
          return Status::conflict("cannot set onHand to " + std::to_string(on_hand) + ": " +
                                      std::to_string(level.reserved) + " units are reserved by open orders",
                                  "/onHand");
        }
        level.on_hand = on_hand;
        if (low_stock_threshold) level.low_stock_threshold = *low_stock_threshold;
        level.updated_at_ms = context_.now_ms();
        OF_RETURN_IF_ERROR(check_low_stock(tx, context_, level, options_.low_stock_threshold, ""));
        OF_RETURN_IF_ERROR(tx.put_stock(level));
        *result = level;
        return Status::ok();
      },
      [result, done = std::move(done)](const Status& status) {
        if (!status.is_ok()) {
          done(status);
          return;
        }
        done(*result);
      });
}

Result<core::StockLevel> InventoryService::get_stock(const Sku& product_id) {
  std::optional<core::StockLevel> level;
  OF_RETURN_IF_ERROR(store_.read([&](store::Tx& tx) -> Status {
    OF_ASSIGN_OR_RETURN(auto product, tx.get_product(product_id));
    if (!product) return Status::not_found("product " + product_id.str() + " does not exist");
    OF_ASSIGN_OR_RETURN(auto stock, tx.get_stock(product_id));
    level = stock ? *stock : core::StockLevel{product_id, 0, 0, 0, 0};
    return Status::ok();
  }));
  return *level;
}

Result<std::vector<core::StockLevel>> InventoryService::list_stock(const std::optional<Sku>& after, int limit,
                                                                   bool low_only) {
  OF_ASSERT(limit > 0);
  std::vector<core::StockLevel> found;
  OF_RETURN_IF_ERROR(store_.read([&](store::Tx& tx) -> Status {
    std::optional<Sku> cursor = after;
    while (static_cast<int>(found.size()) < limit) {
      OF_ASSIGN_OR_RETURN(auto page, tx.list_stock(cursor, low_only ? kStockScanPage : limit));
      for (auto& stock : page) {
        if (low_only && stock.available() >= low_stock_threshold(stock)) continue;
        found.push_back(std::move(stock));
        if (static_cast<int>(found.size()) == limit) break;
      }
      if (page.empty() || static_cast<int>(page.size()) < (low_only ? kStockScanPage : limit)) break;
      cursor = page.back().product_id;
    }
    return Status::ok();
  }));
  return found;
}

}  // namespace of::services
