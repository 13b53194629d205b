// The records orderflow keeps: catalog, stock, orders and their lifecycle,
// reservations, payments, shipments, the event log, jobs and dead letters.
//
// Plain values with no behaviour beyond small derived getters. Stores persist
// them; codec/ turns them into JSON. All money is minor units of `currency`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/ids.h"
#include "core/money.h"
#include "core/order_status.h"

namespace of::core {

struct Product {
  Sku id;
  std::string name;
  int64_t price_minor = 0;
  Currency currency;
  std::string tax_class = "standard";
  TimeMs updated_at_ms = 0;
};

// Stock of one product. `on_hand` is what is physically in stock (shipping an
// order moves its units from reserved to sold and out of on_hand), so:
//   0 <= reserved <= on_hand, available = on_hand - reserved,
//   every unit ever received = on_hand + sold = available + reserved + sold.
struct StockLevel {
  Sku product_id;
  int64_t on_hand = 0;
  int64_t reserved = 0;
  int64_t sold = 0;
  TimeMs updated_at_ms = 0;
  // LowStock fires when available drops below the threshold; -1 means the
  // configured default (inventory.low_stock_threshold).
  int64_t low_stock_threshold = -1;
  // Set when LowStock was emitted, cleared when available recovers to the
  // threshold, so the event fires once per crossing.
  bool low_stock_alerted = false;
  int64_t available() const { return on_hand - reserved; }
  // The threshold that applies: this product's own, or the default.
  int64_t effective_low_stock_threshold(int64_t default_threshold) const {
    return low_stock_threshold >= 0 ? low_stock_threshold : default_threshold;
  }
  bool valid() const { return reserved >= 0 && reserved <= on_hand && sold >= 0; }
};

struct Address {
  std::string name;
  std::string line1;
  std::string line2;  // optional
  std::string city;
  std::string region;  // state or province; optional for countries without one
  std::string postal_code;
  std::string country;  // ISO 3166-1 alpha-2, upper case
};

struct OrderLine {
  Sku product_id;
  std::string name;
  int64_t quantity = 0;
  int64_t unit_price_minor = 0;
  int64_t line_subtotal_minor = 0;  // unit price x quantity
  std::string tax_class;
  int64_t tax_rate_bp = 0;  // basis points applied to this line
  int64_t tax_minor = 0;
};

struct Totals {
  int64_t subtotal_minor = 0;
  int64_t tax_minor = 0;
  int64_t shipping_minor = 0;
  int64_t total_minor = 0;
};

struct Order {
  OrderId id;
  CustomerId customer_id;
  OrderStatus status = OrderStatus::kPending;
  Currency currency;
  std::vector<OrderLine> lines;
  Totals totals;
  Address shipping_address;
  // The payment method token from the storefront's card vault; never a card number.
  std::string payment_token;
  std::string source = "api";  // who placed it: api, bench, ...
  std::string traceparent;     // W3C trace context of the request that created it
  int64_t refunded_minor = 0;
  TimeMs created_at_ms = 0;
  TimeMs updated_at_ms = 0;
  int64_t version = 1;  // bumped by every update
};

// One entry of an order's status history. `event_seq` is the log position of
// the OrderStatusChanged event that announced it (the SSE event id).
struct StatusChange {
  int64_t event_seq = 0;
  std::optional<OrderStatus> from;  // empty for the initial PENDING
  OrderStatus to = OrderStatus::kPending;
  std::string reason;
  TimeMs at_ms = 0;
};

struct ReservedItem {
  Sku product_id;
  int64_t quantity = 0;
};

enum class ReservationState { kActive, kReleased, kCommitted };

struct Reservation {
  ReservationId id;
  OrderId order_id;
  ReservationState state = ReservationState::kActive;
  std::vector<ReservedItem> items;
  TimeMs expires_at_ms = 0;
  TimeMs created_at_ms = 0;
  TimeMs updated_at_ms = 0;
  std::string release_reason;  // why it was released (expired, payment_failed, cancelled)
};

enum class PaymentState { kPending, kCaptured, kFailed, kRefunded, kPartiallyRefunded };

struct Payment {
  PaymentId id;
  OrderId order_id;
  PaymentState state = PaymentState::kPending;
  int64_t amount_minor = 0;
  Currency currency;
  std::string idempotency_key;    // derived from the order: one charge per order
  std::string gateway_reference;  // the gateway's id for the charge
  std::string failure_reason;
  int64_t refunded_minor = 0;
  TimeMs created_at_ms = 0;
  TimeMs updated_at_ms = 0;
};

enum class ShipmentState { kShipped, kDelivered };

struct Shipment {
  ShipmentId id;
  OrderId order_id;
  std::string carrier;
  std::string tracking_number;
  ShipmentState state = ShipmentState::kShipped;
  TimeMs shipped_at_ms = 0;
  TimeMs delivered_at_ms = 0;
};

// One entry of the event log: a CloudEvents 1.0 envelope. `data_json` is the
// serialized `data` object; `seq` is the log position the store assigns.
struct Event {
  int64_t seq = 0;
  EventId id;
  std::string type;     // "OrderCreated", ...
  std::string source;   // "/orderflow/orders", ...
  std::string subject;  // the order id (or the SKU for LowStock)
  TimeMs time_ms = 0;
  std::string traceparent;
  std::string data_json;
};

enum class JobState { kQueued, kRunning, kDone, kDead };

// An external side effect to perform outside any transaction (see jobs/).
// While kRunning, next_attempt_at_ms is the lease expiry: a runner that dies
// mid-job leaves it to be picked up again after that time.
struct Job {
  JobId id;
  std::string kind;     // "payment.charge", "notification.send", ...
  std::string subject;  // the order id it is for
  std::string payload_json;
  JobState state = JobState::kQueued;
  int32_t attempts = 0;
  TimeMs next_attempt_at_ms = 0;
  std::string last_error;
  std::string result_json;  // what the last successful attempt returned
  TimeMs created_at_ms = 0;
  TimeMs updated_at_ms = 0;
};

// An event delivery a subscription must retry: the head of each subject's queue
// is retried with backoff; later events of the same subject wait behind it
// (attempts == 0) so one order's events are applied in order.
struct PendingDelivery {
  std::string subscription;
  int64_t event_seq = 0;
  std::string subject;
  int32_t attempts = 0;
  TimeMs next_attempt_at_ms = 0;
  std::string last_error;
};

enum class DeadLetterKind { kEvent, kJob };

struct DeadLetter {
  int64_t id = 0;  // assigned by the store
  DeadLetterKind kind = DeadLetterKind::kEvent;
  std::string consumer;  // subscription name, or job kind
  int64_t event_seq = 0;  // for kEvent
  std::string reference;  // event id, or job id
  std::string subject;
  int32_t attempts = 0;
  std::string last_error;
  TimeMs created_at_ms = 0;
  std::optional<TimeMs> redriven_at_ms;
};

std::string_view to_string(ReservationState state);
std::string_view to_string(PaymentState state);
std::string_view to_string(ShipmentState state);
std::string_view to_string(JobState state);
std::string_view to_string(DeadLetterKind kind);
std::optional<ReservationState> parse_reservation_state(std::string_view text);
std::optional<PaymentState> parse_payment_state(std::string_view text);
std::optional<ShipmentState> parse_shipment_state(std::string_view text);
std::optional<JobState> parse_job_state(std::string_view text);
std::optional<DeadLetterKind> parse_dead_letter_kind(std::string_view text);

}  // namespace of::core
