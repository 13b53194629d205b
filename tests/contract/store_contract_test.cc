// The Store contract: one suite, run against every adapter (memory, sqlite).
//
// A new adapter is proven by adding it to make_store() and passing this file.
// Tests that need batching hold the writer inside a "gate" unit while they
// queue the units of interest, so which units share a batch never depends on
// timing. The SqliteStore tests at the end cover what only a file can do
// (reopen, schema).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "store/sqlite/schema.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "store/memory/memory_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"
#include "support/temp_dir.h"

namespace of::store {
namespace {

#define EXPECT_OK(expr)                                        \
  do {                                                         \
    const ::of::Status of_status_ = (expr);                    \
    EXPECT_TRUE(of_status_.is_ok()) << of_status_.to_string(); \
  } while (0)
#define ASSERT_OK(expr)                                        \
  do {                                                         \
    const ::of::Status of_status_ = (expr);                    \
    ASSERT_TRUE(of_status_.is_ok()) << of_status_.to_string(); \
  } while (0)

using core::DeadLetterKind;
using core::JobState;
using core::OrderStatus;
using core::PaymentState;
using core::ReservationState;
using core::ShipmentState;

// ---------------------------------------------------------------------------
// Values to store, and a text form of each (every field) for comparisons.

core::Currency usd() { return core::Currency::parse("USD").value(); }

Product make_product(const std::string& id, int64_t price_minor = 1000) {
  Product product;
  product.id = Sku(id);
  product.name = "Product " + id;
  product.price_minor = price_minor;
  product.currency = usd();
  product.tax_class = "reduced";
  product.updated_at_ms = 1700000000000;
  return product;
}

StockLevel make_stock(const std::string& id, int64_t on_hand, int64_t reserved = 0, int64_t sold = 0) {
  StockLevel stock;
  stock.product_id = Sku(id);
  stock.on_hand = on_hand;
  stock.reserved = reserved;
  stock.sold = sold;
  stock.updated_at_ms = 1700000000001;
  return stock;
}

Order make_order(const std::string& id, const std::string& customer = "cust-1",
                 OrderStatus status = OrderStatus::kPending) {
  Order order;
  order.id = OrderId(id);
  order.customer_id = CustomerId(customer);
  order.status = status;
  order.currency = usd();
  core::OrderLine line;
  line.product_id = Sku("sku-1");
  line.name = "Widget \"deluxe\"";
  line.quantity = 2;
  line.unit_price_minor = 1250;
  line.line_subtotal_minor = 2500;
  line.tax_class = "standard";
  line.tax_rate_bp = 2000;
  line.tax_minor = 500;
  order.lines = {line, line};
  order.lines[1].product_id = Sku("sku-2");
  order.totals = {5000, 1000, 499, 6499};
  order.shipping_address = {"Ada Lovelace", "1 Main St", "Flat 2", "London", "", "SW1A 1AA", "GB"};
  order.payment_token = "tok_visa_4242";
  order.source = "api";
  order.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  order.refunded_minor = 0;
  order.created_at_ms = 1700000000100;
  order.updated_at_ms = 1700000000100;
  order.version = 1;
  return order;
}

Reservation make_reservation(const std::string& id, const std::string& order_id,
                             ReservationState state = ReservationState::kActive) {
  Reservation reservation;
  reservation.id = ReservationId(id);
  reservation.order_id = OrderId(order_id);
  reservation.state = state;
  reservation.items = {{Sku("sku-1"), 2}, {Sku("sku-2"), 1}};
  reservation.expires_at_ms = 1700000900000;
  reservation.created_at_ms = 1700000000200;
  reservation.updated_at_ms = 1700000000200;
  return reservation;
}

Payment make_payment(const std::string& id, const std::string& order_id) {
  Payment payment;
  payment.id = PaymentId(id);
  payment.order_id = OrderId(order_id);
  payment.state = PaymentState::kCaptured;
  payment.amount_minor = 6499;
  payment.currency = usd();
  payment.idempotency_key = "charge-" + order_id;
  payment.gateway_reference = "ch_123";
  payment.failure_reason = "";
  payment.refunded_minor = 0;
  payment.created_at_ms = 1700000000300;
  payment.updated_at_ms = 1700000000301;
  return payment;
}

Shipment make_shipment(const std::string& id, const std::string& order_id) {
  Shipment shipment;
  shipment.id = ShipmentId(id);
  shipment.order_id = OrderId(order_id);
  shipment.carrier = "ups";
  shipment.tracking_number = "1Z999";
  shipment.state = ShipmentState::kShipped;
  shipment.shipped_at_ms = 1700000000400;
  return shipment;
}

Event make_event(const std::string& id, const std::string& subject = "ord-1",
                 const std::string& type = "OrderCreated") {
  Event event;
  event.seq = 9999;  // ignored on input
  event.id = EventId(id);
  event.type = type;
  event.source = "/orderflow/orders";
  event.subject = subject;
  event.time_ms = 1700000000500;
  event.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  event.data_json = R"({"orderId":")" + subject + R"("})";
  return event;
}

PendingDelivery make_pending(const std::string& subscription, int64_t seq, const std::string& subject, int32_t attempts,
                             TimeMs next_attempt_at_ms) {
  PendingDelivery delivery;
  delivery.subscription = subscription;
  delivery.event_seq = seq;
  delivery.subject = subject;
  delivery.attempts = attempts;
  delivery.next_attempt_at_ms = next_attempt_at_ms;
  delivery.last_error = attempts > 0 ? "handler failed" : "";
  return delivery;
}

Job make_job(const std::string& id, JobState state, TimeMs next_attempt_at_ms, const std::string& subject = "ord-1") {
  Job job;
  job.id = JobId(id);
  job.kind = "payment.charge";
  job.subject = subject;
  job.payload_json = R"({"amount":6499})";
  job.state = state;
  job.attempts = 1;
  job.next_attempt_at_ms = next_attempt_at_ms;
  job.last_error = "timeout";
  job.result_json = "{}";
  job.created_at_ms = 1700000000600;
  job.updated_at_ms = 1700000000601;
  return job;
}

DeadLetter make_dead_letter(DeadLetterKind kind, const std::string& consumer) {
  DeadLetter letter;
  letter.id = 77;  // ignored by insert
  letter.kind = kind;
  letter.consumer = consumer;
  letter.event_seq = kind == DeadLetterKind::kEvent ? 5 : 0;
  letter.reference = "ref-" + consumer;
  letter.subject = "ord-1";
  letter.attempts = 8;
  letter.last_error = "gave up";
  letter.created_at_ms = 1700000000700;
  return letter;
}

std::string opt(const std::optional<int64_t>& value) { return value ? std::to_string(*value) : "none"; }

std::string describe(const Product& p) {
  return fmt::format("product({} {} {} {} {} {})", p.id.str(), p.name, p.price_minor, p.currency.code(), p.tax_class,
                     p.updated_at_ms);
}
std::string describe(const StockLevel& s) {
  return fmt::format("stock({} {} {} {} {} low={} alerted={})", s.product_id.str(), s.on_hand, s.reserved, s.sold,
                     s.updated_at_ms, s.low_stock_threshold, s.low_stock_alerted);
}
std::string describe(const Reservation& r) {
  std::string items;
  for (const auto& item : r.items) items += fmt::format("{}x{},", item.product_id.str(), item.quantity);
  return fmt::format("reservation({} {} {} [{}] {} {} {} {})", r.id.str(), r.order_id.str(), core::to_string(r.state),
                     items, r.expires_at_ms, r.created_at_ms, r.updated_at_ms, r.release_reason);
}
std::string describe(const Order& o) {
  std::string lines;
  for (const auto& l : o.lines) {
    lines += fmt::format("{}|{}|{}|{}|{}|{}|{}|{};", l.product_id.str(), l.name, l.quantity, l.unit_price_minor,
                         l.line_subtotal_minor, l.tax_class, l.tax_rate_bp, l.tax_minor);
  }
  const auto& a = o.shipping_address;
  return fmt::format("order({} {} {} {} [{}] {}/{}/{}/{} [{}|{}|{}|{}|{}|{}|{}] {} {} {} {} {} {} {})", o.id.str(),
                     o.customer_id.str(), core::to_string(o.status), o.currency.code(), lines, o.totals.subtotal_minor,
                     o.totals.tax_minor, o.totals.shipping_minor, o.totals.total_minor, a.name, a.line1, a.line2,
                     a.city, a.region, a.postal_code, a.country, o.payment_token, o.source, o.traceparent,
                     o.refunded_minor, o.created_at_ms, o.updated_at_ms, o.version);
}
std::string describe(const StatusChange& c) {
  return fmt::format("change({} {} {} {} {})", c.event_seq, c.from ? core::to_string(*c.from) : "none",
                     core::to_string(c.to), c.reason, c.at_ms);
}
std::string describe(const Payment& p) {
  return fmt::format("payment({} {} {} {} {} {} {} {} {} {} {})", p.id.str(), p.order_id.str(),
                     core::to_string(p.state), p.amount_minor, p.currency.code(), p.idempotency_key,
                     p.gateway_reference, p.failure_reason, p.refunded_minor, p.created_at_ms, p.updated_at_ms);
}
std::string describe(const Shipment& s) {
  return fmt::format("shipment({} {} {} {} {} {} {})", s.id.str(), s.order_id.str(), s.carrier, s.tracking_number,
                     core::to_string(s.state), s.shipped_at_ms, s.delivered_at_ms);
}
std::string describe(const Event& e) {
  return fmt::format("event({} {} {} {} {} {} {} {})", e.seq, e.id.str(), e.type, e.source, e.subject, e.time_ms,
                     e.traceparent, e.data_json);
}
std::string describe(const PendingDelivery& d) {
  return fmt::format("pending({} {} {} {} {} {})", d.subscription, d.event_seq, d.subject, d.attempts,
                     d.next_attempt_at_ms, d.last_error);
}
std::string describe(const Job& j) {
  return fmt::format("job({} {} {} {} {} {} {} {} {} {} {})", j.id.str(), j.kind, j.subject, j.payload_json,
                     core::to_string(j.state), j.attempts, j.next_attempt_at_ms, j.last_error, j.result_json,
                     j.created_at_ms, j.updated_at_ms);
}
std::string describe(const DeadLetter& d) {
  return fmt::format("dead_letter({} {} {} {} {} {} {} {} {} {})", d.id, core::to_string(d.kind), d.consumer,
                     d.event_seq, d.reference, d.subject, d.attempts, d.last_error, d.created_at_ms,
                     opt(d.redriven_at_ms));
}
template <class T>
std::string describe(const std::optional<T>& value) {
  return value ? describe(*value) : "none";
}
template <class T>
std::string describe(const std::vector<T>& values) {
  std::string out = "[";
  for (const T& value : values) out += describe(value) + "\n";
  return out + "]";
}

// Ids of a list, for order checks.
template <class T>
std::vector<std::string> ids(const std::vector<T>& values) {
  std::vector<std::string> out;
  for (const T& value : values) out.push_back(value.id.str());
  return out;
}
std::vector<int64_t> seqs(const std::vector<PendingDelivery>& values) {
  std::vector<int64_t> out;
  for (const auto& value : values) out.push_back(value.event_seq);
  return out;
}
std::vector<int64_t> seqs(const std::vector<Event>& values) {
  std::vector<int64_t> out;
  for (const auto& value : values) out.push_back(value.seq);
  return out;
}

// ---------------------------------------------------------------------------
// Synchronisation helpers.

// A unit that holds the writer thread until released, so the units queued
// meanwhile are taken together in the next batch. Released on destruction
// too, so a failing test cannot leave the writer stuck.
class Gate {
 public:
  Gate() : state_(std::make_shared<State>()) {}
  ~Gate() { release(); }
  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;

  Work unit() const {
    return [state = state_](Tx&) {
      std::unique_lock lock(state->mutex);
      state->entered = true;
      state->changed.notify_all();
      state->changed.wait(lock, [&] { return state->released; });
      return Status::ok();
    };
  }
  // Submits the gate unit and returns once the writer is inside it.
  void close_on(Store& store) const {
    store.submit(unit(), [](const Status&) {});
    std::unique_lock lock(state_->mutex);
    state_->changed.wait(lock, [&] { return state_->entered; });
  }
  void release() const {
    std::lock_guard lock(state_->mutex);
    state_->released = true;
    state_->changed.notify_all();
  }

 private:
  struct State {
    std::mutex mutex;
    std::condition_variable changed;
    bool entered = false;
    bool released = false;
  };
  std::shared_ptr<State> state_;
};

// Collects the statuses of asynchronously submitted units.
class Completions {
 public:
  explicit Completions(int count) : statuses_(static_cast<size_t>(count)) {}
  Done done(int index) {
    return [this, index](const Status& status) {
      std::lock_guard lock(mutex_);
      statuses_[static_cast<size_t>(index)] = status;
      ++completed_;
      changed_.notify_all();
    };
  }
  void wait_all() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return completed_ == static_cast<int>(statuses_.size()); });
  }
  int completed() {
    std::lock_guard lock(mutex_);
    return completed_;
  }
  Status status(int index) {
    std::lock_guard lock(mutex_);
    return statuses_[static_cast<size_t>(index)].value_or(Status::internal("not completed"));
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::optional<Status>> statuses_;
  int completed_ = 0;
};

// Records every CommitInfo a store hands its listeners.
class CommitRecorder {
 public:
  CommitListener listener() {
    return [this](const CommitInfo& info) {
      std::lock_guard lock(mutex_);
      commits_.push_back(info);
    };
  }
  std::vector<CommitInfo> commits() {
    std::lock_guard lock(mutex_);
    return commits_;
  }
  std::vector<Event> events() {
    std::vector<Event> out;
    for (const CommitInfo& info : commits()) out.insert(out.end(), info.events.begin(), info.events.end());
    return out;
  }

 private:
  std::mutex mutex_;
  std::vector<CommitInfo> commits_;
};

// ---------------------------------------------------------------------------
// The parameterised suite.

enum class Adapter { kMemory, kSqlite };

struct Limits {
  int batch_units_max = 1024;
  int queue_units_max = 100000;
};

class StoreContractTest : public ::testing::TestWithParam<Adapter> {
 protected:
  void SetUp() override { open_store(Limits{}); }
  void TearDown() override {
    if (store_) store_->stop();
  }

  // Replaces the store with a fresh, empty one (a new file for sqlite).
  void open_store(const Limits& limits) {
    if (store_) store_->stop();
    store_.reset();
    recorder_ = std::make_unique<CommitRecorder>();
    if (GetParam() == Adapter::kMemory) {
      MemoryStoreOptions options;
      options.batch_units_max = limits.batch_units_max;
      options.queue_units_max = limits.queue_units_max;
      store_ = std::make_unique<MemoryStore>(options);
    } else {
      SqliteStoreOptions options;
      options.path = (dir_.path() / fmt::format("store-{}.db", ++files_)).string();
      options.batch_units_max = limits.batch_units_max;
      options.queue_units_max = limits.queue_units_max;
      store_ = std::make_unique<SqliteStore>(options);
    }
    store_->add_commit_listener(recorder_->listener());
    const Status status = store_->start();
    ASSERT_TRUE(status.is_ok()) << status.to_string();
  }

  Status write(const Work& work) { return store_->write(work); }

  // Runs `query` in read() and returns its value (failing the test on error).
  template <class F>
  auto query(F&& query) {
    using T = std::decay_t<decltype(query(std::declval<Tx&>()).value())>;
    std::optional<T> out;
    const Status status = store_->read([&](Tx& tx) -> Status {
      auto result = query(tx);
      if (!result.is_ok()) return result.status();
      out = std::move(result).value();
      return Status::ok();
    });
    EXPECT_TRUE(status.is_ok()) << status.to_string();
    return out.value_or(T{});
  }

  // The status a read-side call returns (for error cases).
  template <class F>
  Status query_status(F&& query) {
    return store_->read([&](Tx& tx) -> Status { return query(tx).status(); });
  }

  of::testing::TempDir dir_;
  int files_ = 0;
  std::unique_ptr<CommitRecorder> recorder_;
  std::unique_ptr<Store> store_;
};

// Catalog --------------------------------------------------------------------

TEST_P(StoreContractTest, ProductsPutGetReplaceAndList) {
  EXPECT_EQ(describe(query([](Tx& tx) { return tx.get_product(Sku("a")); })), "none");
  ASSERT_OK(write([](Tx& tx) {
    for (const char* id : {"c", "a", "d", "b"}) OF_RETURN_IF_ERROR(tx.put_product(make_product(id)));
    return Status::ok();
  }));
  EXPECT_EQ(describe(query([](Tx& tx) { return tx.get_product(Sku("a")); })), describe(make_product("a")));

  Product replaced = make_product("b", 4242);
  replaced.name = "Renamed";
  replaced.currency = core::Currency::parse("JPY").value();
  ASSERT_OK(write([&](Tx& tx) { return tx.put_product(replaced); }));
  const auto got = query([](Tx& tx) { return tx.get_product(Sku("b")); });
  EXPECT_EQ(describe(got), describe(replaced));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->currency.exponent(), 0);

  EXPECT_EQ(ids(query([](Tx& tx) { return tx.list_products(std::nullopt, 10); })),
            (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(ids(query([](Tx& tx) { return tx.list_products(std::nullopt, 2); })), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ids(query([](Tx& tx) { return tx.list_products(Sku("b"), 10); })), (std::vector<std::string>{"c", "d"}));
  EXPECT_TRUE(query([](Tx& tx) { return tx.list_products(Sku("d"), 10); }).empty());
}

// Stock ------------------------------------------------------------------------

TEST_P(StoreContractTest, StockPutGetAndList) {
  EXPECT_EQ(describe(query([](Tx& tx) { return tx.get_stock(Sku("a")); })), "none");
  ASSERT_OK(write([](Tx& tx) {
    OF_RETURN_IF_ERROR(tx.put_stock(make_stock("b", 10, 3, 2)));
    OF_RETURN_IF_ERROR(tx.put_stock(make_stock("a", 5)));
    return tx.put_stock(make_stock("c", 0));
  }));
  EXPECT_EQ(describe(query([](Tx& tx) { return tx.get_stock(Sku("b")); })), describe(make_stock("b", 10, 3, 2)));
  ASSERT_OK(write([](Tx& tx) { return tx.put_stock(make_stock("b", 9, 9, 3)); }));
  EXPECT_EQ(describe(query([](Tx& tx) { return tx.get_stock(Sku("b")); })), describe(make_stock("b", 9, 9, 3)));

  const auto all = query([](Tx& tx) { return tx.list_stock(std::nullopt, 10); });
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].product_id.str(), "a");
  EXPECT_EQ(all[2].product_id.str(), "c");
  const auto after_a = query([](Tx& tx) { return tx.list_stock(Sku("a"), 1); });
  ASSERT_EQ(after_a.size(), 1u);
  EXPECT_EQ(after_a[0].product_id.str(), "b");
}

TEST_P(StoreContractTest, StockRoundTripsLowStockFields) {
  ASSERT_OK(write([](Tx& tx) { return tx.put_stock(make_stock("a", 5)); }));
  auto fresh = query([](Tx& tx) { return tx.get_stock(Sku("a")); });
  ASSERT_TRUE(fresh.has_value());
  EXPECT_EQ(fresh->low_stock_threshold, -1);  // the configured default
  EXPECT_FALSE(fresh->low_stock_alerted);

  StockLevel alerted = make_stock("a", 5, 2);
  alerted.low_stock_threshold = 7;
  alerted.low_stock_alerted = true;
  ASSERT_OK(write([&](Tx& tx) { return tx.put_stock(alerted); }));
  EXPECT_EQ(describe(query([](Tx& tx) { return tx.get_stock(Sku("a")); })), describe(alerted));
  const auto listed = query([](Tx& tx) { return tx.list_stock(std::nullopt, 10); });
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].low_stock_threshold, 7);
  EXPECT_TRUE(listed[0].low_stock_alerted);

  alerted.low_stock_threshold = 0;
  alerted.low_stock_alerted = false;
  ASSERT_OK(write([&](Tx& tx) { return tx.put_stock(alerted); }));
  EXPECT_EQ(describe(query([](Tx& tx) { return tx.get_stock(Sku("a")); })), describe(alerted));
}

TEST_P(StoreContractTest, PutStockRefusesBrokenInvariant) {
  ASSERT_OK(write([](Tx& tx) { return tx.put_stock(make_stock("sku-9", 10, 4, 1)); }));
  const StockLevel broken[] = {
      make_stock("sku-9", 10, 11, 0),  // reserved > on_hand
      make_stock("sku-9", 10, -1, 0),  // reserved < 0
      make_stock("sku-9", 10, 0, -1),  // sold < 0
      make_stock("sku-9", -1, 0, 0),   // on_hand < 0 (so reserved > on_hand)
  };
  for (const StockLevel& stock : broken) {
    Status refused;
    const Status unit = write([&](Tx& tx) {
      refused = tx.put_stock(stock);
      return refused;
    });
    EXPECT_EQ(refused.code(), Code::kInternal) << describe(stock);
    EXPECT_NE(refused.message().find("sku-9"), std::string::npos) << refused.message();
    EXPECT_NE(refused.message().find(std::to_string(stock.reserved)), std::string::npos) << refused.message();
    EXPECT_EQ(unit.code(), Code::kInternal);
  }
  // A unit that notices the refusal and carries on commits without the row.
  ASSERT_OK(write([](Tx& tx) {
    EXPECT_FALSE(tx.put_stock(make_stock("sku-9", 1, 2, 0)).is_ok());
    return tx.put_product(make_product("sku-9"));
  }));
  EXPECT_EQ(describe(query([](Tx& tx) { return tx.get_stock(Sku("sku-9")); })),
            describe(make_stock("sku-9", 10, 4, 1)));
}

// Reservations -----------------------------------------------------------------

TEST_P(StoreContractTest, ReservationsOnePerOrder) {
  EXPECT_EQ(describe(query([](Tx& tx) { return tx.get_reservation_for_order(OrderId("ord-1")); })), "none");
  ASSERT_OK(write([](Tx& tx) {
    OF_RETURN_IF_ERROR(tx.put_reservation(make_reservation("res-2", "ord-2")));
    OF_RETURN_IF_ERROR(tx.put_reservation(make_reservation("res-1", "ord-1")));
    return tx.put_reservation(make_reservation("res-3", "ord-3", ReservationState::kCommitted));
  }));
  EXPECT_EQ(describe(query([](Tx& tx) { return tx.get_reservation_for_order(OrderId("ord-1")); })),
            describe(make_reservation("res-1", "ord-1")));
  EXPECT_EQ(ids(query([](Tx& tx) { return tx.list_active_reservations(10); })),
            (std::vector<std::string>{"res-1", "res-2"}));
  EXPECT_EQ(ids(query([](Tx& tx) { return tx.list_active_reservations(1); })), (std::vector<std::string>{"res-1"}));

  Reservation released = make_reservation("res-1", "ord-1", ReservationState::kReleased);
  released.release_reason = "payment_failed";
  released.updated_at_ms += 5;
  ASSERT_OK(write([&](Tx& tx) { return tx.put_reservation(released); }));
  EXPECT_EQ(describe(query([](Tx& tx) { return tx.get_reservation_for_order(OrderId("ord-1")); })), describe(released));
  EXPECT_EQ(ids(query([](Tx& tx) { return tx.list_active_reservations(10); })), (std::vector<std::string>{"res-2"}));

  // A second reservation for the same order is refused, and changes nothing.
  const Status conflict = write([](Tx& tx) { return tx.put_reservation(make_reservation("res-9", "ord-2")); });
  EXPECT_EQ(conflict.code(), Code::kConflict) << conflict.to_string();
  EXPECT_EQ(query([](Tx& tx) { return tx.get_reservation_for_order(OrderId("ord-2")); })->id.str(), "res-2");
}

// Orders ------------------------------------------------------------------------

TEST_P(StoreContractTest, OrdersInsertGetUpdate) {
  const Order order = make_order("ord-1");
  ASSERT_OK(write([&](Tx& tx) { return tx.insert_order(order); }));
  EXPECT_EQ(describe(query([](Tx& tx) { return tx.get_order(OrderId("ord-1")); })), describe(order));
  EXPECT_EQ(describe(query([](Tx& tx) { return tx.get_order(OrderId("ord-2")); })), "none");

  const Status duplicate = write([&](Tx& tx) { return tx.insert_order(make_order("ord-1", "someone-else")); });
  EXPECT_EQ(duplicate.code(), Code::kConflict) << duplicate.to_string();

  Order updated = order;
  updated.status = OrderStatus::kPartiallyRefunded;
  updated.refunded_minor = 100;
  updated.updated_at_ms += 1000;
  updated.version = 2;
  Order tampered = updated;  // the priced fields are not the lifecycle's to change
  tampered.lines.pop_back();
  tampered.totals.total_minor += 1;
  tampered.customer_id = CustomerId("someone-else");
  ASSERT_OK(write([&](Tx& tx) { return tx.update_order(tampered); }));
  EXPECT_EQ(describe(query([](Tx& tx) { return tx.get_order(OrderId("ord-1")); })), describe(updated));

  const Status missing = write([](Tx& tx) { return tx.update_order(make_order("ord-404")); });
  EXPECT_EQ(missing.code(), Code::kNotFound) << missing.to_string();
  EXPECT_EQ(describe(query([](Tx& tx) { return tx.get_order(OrderId("ord-404")); })), "none");
}

TEST_P(StoreContractTest, StatusHistoryIsOldestFirstPerOrder) {
  EXPECT_TRUE(query([](Tx& tx) { return tx.status_history(OrderId("ord-1")); }).empty());
  const StatusChange created{1, std::nullopt, OrderStatus::kPending, "created", 100};
  const StatusChange reserved{4, OrderStatus::kPending, OrderStatus::kReserved, "stock reserved", 200};
  const StatusChange paid{9, OrderStatus::kReserved, OrderStatus::kPaid, "", 300};
  ASSERT_OK(write([&](Tx& tx) {
    OF_RETURN_IF_ERROR(tx.append_status_change(OrderId("ord-1"), created));
    OF_RETURN_IF_ERROR(tx.append_status_change(OrderId("ord-2"), created));
    return tx.append_status_change(OrderId("ord-1"), reserved);
  }));
  ASSERT_OK(write([&](Tx& tx) { return tx.append_status_change(OrderId("ord-1"), paid); }));
  EXPECT_EQ(describe(query([](Tx& tx) { return tx.status_history(OrderId("ord-1")); })),
            describe(std::vector<StatusChange>{created, reserved, paid}));
  EXPECT_EQ(describe(query([](Tx& tx) { return tx.status_history(OrderId("ord-2")); })),
            describe(std::vector<StatusChange>{created}));
}

TEST_P(StoreContractTest, ListOrdersFiltersNewestFirstWithKeysetPagination) {
  // ord-01 .. ord-10: customer a owns the odd ones; every third is PAID.
  ASSERT_OK(write([](Tx& tx) {
    for (int i = 1; i <= 10; ++i) {
      const std::string customer = i % 2 == 1 ? "cust-a" : "cust-b";
      const OrderStatus status = i % 3 == 0 ? OrderStatus::kPaid : OrderStatus::kPending;
      OF_RETURN_IF_ERROR(tx.insert_order(make_order(fmt::format("ord-{:02}", i), customer, status)));
    }
    return Status::ok();
  }));
  auto list = [&](std::optional<std::string> customer, std::optional<OrderStatus> status,
                  std::optional<std::string> before, int limit) {
    OrderFilter filter;
    if (customer) filter.customer_id = CustomerId(*customer);
    filter.status = status;
    if (before) filter.before = OrderId(*before);
    filter.limit = limit;
    return ids(query([&](Tx& tx) { return tx.list_orders(filter); }));
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(list(std::nullopt, std::nullopt, std::nullopt, 3), (V{"ord-10", "ord-09", "ord-08"}));
  EXPECT_EQ(list(std::nullopt, std::nullopt, "ord-08", 3), (V{"ord-07", "ord-06", "ord-05"}));
  EXPECT_EQ(list(std::nullopt, std::nullopt, "ord-02", 3), (V{"ord-01"}));
  EXPECT_EQ(list(std::nullopt, std::nullopt, "ord-01", 3), V{});
  EXPECT_EQ(list("cust-a", std::nullopt, std::nullopt, 50), (V{"ord-09", "ord-07", "ord-05", "ord-03", "ord-01"}));
  EXPECT_EQ(list("cust-a", std::nullopt, "ord-05", 1), (V{"ord-03"}));
  EXPECT_EQ(list(std::nullopt, OrderStatus::kPaid, std::nullopt, 50), (V{"ord-09", "ord-06", "ord-03"}));
  EXPECT_EQ(list(std::nullopt, OrderStatus::kPaid, "ord-09", 1), (V{"ord-06"}));
  EXPECT_EQ(list("cust-b", OrderStatus::kPaid, std::nullopt, 50), (V{"ord-06"}));
  EXPECT_EQ(list("cust-a", OrderStatus::kPaid, "ord-09", 50), (V{"ord-03"}));
  EXPECT_EQ(list("cust-c", std::nullopt, std::nullopt, 50), V{});
  EXPECT_EQ(list(std::nullopt, OrderStatus::kShipped, std::nullopt, 50), V{});

  // Walking every page of customer a, two at a time, visits each order once.
  V walked;
  std::optional<std::string> cursor;
  for (int page = 0; page < 10; ++page) {
    const V ids_on_page = list("cust-a", std::nullopt, cursor, 2);
    if (ids_on_page.empty()) break;
    walked.insert(walked.end(), ids_on_page.begin(), ids_on_page.end());
    cursor = ids_on_page.back();
  }
  EXPECT_EQ(walked, (V{"ord-09", "ord-07", "ord-05", "ord-03", "ord-01"}));
}

TEST_P(StoreContractTest, ListLimitsOutsideBoundsAreInvalid) {
  for (int limit : {0, -1, kListLimitMax + 1}) {
    OrderFilter filter;
    filter.limit = limit;
    EXPECT_EQ(query_status([&](Tx& tx) { return tx.list_orders(filter); }).code(), Code::kInvalidArgument);
    EXPECT_EQ(query_status([&](Tx& tx) { return tx.list_products(std::nullopt, limit); }).code(),
              Code::kInvalidArgument);
    EXPECT_EQ(query_status([&](Tx& tx) { return tx.read_events(0, limit); }).code(), Code::kInvalidArgument);
    EXPECT_EQ(query_status([&](Tx& tx) { return tx.due_jobs(0, limit); }).code(), Code::kInvalidArgument);
  }
  OrderFilter filter;
  filter.limit = kListLimitMax;
  EXPECT_OK(query_status([&](Tx& tx) { return tx.list_orders(filter); }));
}

// Payments and shipments ------------------------------------------------------

TEST_P(StoreContractTest, PaymentsAndShipmentsOnePerOrder) {
  EXPECT_EQ(describe(query([](Tx& tx) { return tx.get_payment_for_order(OrderId("ord-1")); })), "none");
  EXPECT_EQ(describe(query([](Tx& tx) { return tx.get_shipment_for_order(OrderId("ord-1")); })), "none");
  ASSERT_OK(write([](Tx& tx) {
    OF_RETURN_IF_ERROR(tx.put_payment(make_payment("pay-1", "ord-1")));
    return tx.put_shipment(make_shipment("shp-1", "ord-1"));
  }));
  EXPECT_EQ(describe(query([](Tx& tx) { return tx.get_payment_for_order(OrderId("ord-1")); })),
            describe(make_payment("pay-1", "ord-1")));
  EXPECT_EQ(describe(query([](Tx& tx) { return tx.get_shipment_for_order(OrderId("ord-1")); })),
            describe(make_shipment("shp-1", "ord-1")));

  Payment refunded = make_payment("pay-1", "ord-1");
  refunded.state = PaymentState::kPartiallyRefunded;
  refunded.refunded_minor = 1000;
  Shipment delivered = make_shipment("shp-1", "ord-1");
  delivered.state = ShipmentState::kDelivered;
  delivered.delivered_at_ms = 1700000009999;
  ASSERT_OK(write([&](Tx& tx) {
    OF_RETURN_IF_ERROR(tx.put_payment(refunded));
    return tx.put_shipment(delivered);
  }));
  EXPECT_EQ(describe(query([](Tx& tx) { return tx.get_payment_for_order(OrderId("ord-1")); })), describe(refunded));
  EXPECT_EQ(describe(query([](Tx& tx) { return tx.get_shipment_for_order(OrderId("ord-1")); })), describe(delivered));

  EXPECT_EQ(write([](Tx& tx) { return tx.put_payment(make_payment("pay-2", "ord-1")); }).code(), Code::kConflict);
  EXPECT_EQ(write([](Tx& tx) { return tx.put_shipment(make_shipment("shp-2", "ord-1")); }).code(), Code::kConflict);
  EXPECT_EQ(query([](Tx& tx) { return tx.get_payment_for_order(OrderId("ord-1")); })->id.str(), "pay-1");
}

// The event log -------------------------------------------------------------------

TEST_P(StoreContractTest, EventsAppendAssignsSeqAndReads) {
  EXPECT_EQ(query([](Tx& tx) { return tx.last_event_seq(); }), 0);
  std::vector<int64_t> assigned;
  ASSERT_OK(write([&](Tx& tx) {
    for (const auto& [id, subject] :
         std::vector<std::pair<std::string, std::string>>{{"e1", "ord-1"}, {"e2", "ord-2"}, {"e3", "ord-1"}}) {
      OF_ASSIGN_OR_RETURN(int64_t seq, tx.append_event(make_event(id, subject)));
      assigned.push_back(seq);
    }
    // The unit sees its own appends.
    OF_ASSIGN_OR_RETURN(int64_t last, tx.last_event_seq());
    EXPECT_EQ(last, 3);
    return Status::ok();
  }));
  EXPECT_EQ(assigned, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(query([](Tx& tx) { return tx.last_event_seq(); }), 3);

  Event expected = make_event("e2", "ord-2");
  expected.seq = 2;
  EXPECT_EQ(describe(query([](Tx& tx) { return tx.get_event(2); })), describe(expected));
  EXPECT_EQ(describe(query([](Tx& tx) { return tx.get_event(4); })), "none");
  EXPECT_EQ(seqs(query([](Tx& tx) { return tx.read_events(0, 10); })), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(seqs(query([](Tx& tx) { return tx.read_events(1, 1); })), (std::vector<int64_t>{2}));
  EXPECT_TRUE(query([](Tx& tx) { return tx.read_events(3, 10); }).empty());
  EXPECT_EQ(seqs(query([](Tx& tx) { return tx.read_subject_events("ord-1", 0, 10); })), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(seqs(query([](Tx& tx) { return tx.read_subject_events("ord-1", 1, 10); })), (std::vector<int64_t>{3}));
  EXPECT_EQ(seqs(query([](Tx& tx) { return tx.read_subject_events("ord-1", 0, 1); })), (std::vector<int64_t>{1}));
  EXPECT_TRUE(query([](Tx& tx) { return tx.read_subject_events("ord-9", 0, 10); }).empty());

  // A duplicate id is refused and uses no seq.
  ASSERT_OK(write([](Tx& tx) {
    EXPECT_EQ(tx.append_event(make_event("e2", "ord-2")).status().code(), Code::kConflict);
    OF_ASSIGN_OR_RETURN(int64_t seq, tx.append_event(make_event("e4")));
    EXPECT_EQ(seq, 4);
    return Status::ok();
  }));
  EXPECT_EQ(query([](Tx& tx) { return tx.last_event_seq(); }), 4);

  // Listeners saw every committed event once, ascending.
  EXPECT_EQ(seqs(recorder_->events()), (std::vector<int64_t>{1, 2, 3, 4}));
}

// Subscriptions -------------------------------------------------------------------

TEST_P(StoreContractTest, CheckpointsStartAtZero) {
  EXPECT_EQ(query([](Tx& tx) { return tx.get_checkpoint("inventory"); }), 0);
  ASSERT_OK(write([](Tx& tx) {
    OF_RETURN_IF_ERROR(tx.set_checkpoint("inventory", 7));
    return tx.set_checkpoint("payments", 3);
  }));
  ASSERT_OK(write([](Tx& tx) { return tx.set_checkpoint("inventory", 12); }));
  EXPECT_EQ(query([](Tx& tx) { return tx.get_checkpoint("inventory"); }), 12);
  EXPECT_EQ(query([](Tx& tx) { return tx.get_checkpoint("payments"); }), 3);
  EXPECT_EQ(query([](Tx& tx) { return tx.get_checkpoint("other"); }), 0);
}

TEST_P(StoreContractTest, InboxInsertReturnsFalseOnRepeat) {
  ASSERT_OK(write([](Tx& tx) {
    EXPECT_TRUE(tx.inbox_insert("inventory", EventId("e1")).value());
    EXPECT_FALSE(tx.inbox_insert("inventory", EventId("e1")).value());  // within the same unit
    EXPECT_TRUE(tx.inbox_insert("payments", EventId("e1")).value());    // per subscription
    return Status::ok();
  }));
  ASSERT_OK(write([](Tx& tx) {
    EXPECT_FALSE(tx.inbox_insert("inventory", EventId("e1")).value());  // after commit
    EXPECT_TRUE(tx.inbox_insert("inventory", EventId("e2")).value());
    return Status::ok();
  }));
}

TEST_P(StoreContractTest, JobsInStateAreListedSoonestFirst) {
  ASSERT_OK(write([](Tx& tx) -> Status {
    OF_RETURN_IF_ERROR(tx.put_job(make_job("r-late", JobState::kRunning, 9000)));
    OF_RETURN_IF_ERROR(tx.put_job(make_job("r-early", JobState::kRunning, 3000)));
    OF_RETURN_IF_ERROR(tx.put_job(make_job("q", JobState::kQueued, 1000)));
    return tx.put_job(make_job("r-mid", JobState::kRunning, 5000));
  }));
  std::vector<std::string> ids;
  ASSERT_OK(write([&](Tx& tx) -> Status {
    OF_ASSIGN_OR_RETURN(auto running, tx.jobs_in_state(JobState::kRunning, 2));
    for (const auto& job : running) ids.push_back(job.id.str());
    return Status::ok();
  }));
  EXPECT_EQ(ids, (std::vector<std::string>{"r-early", "r-mid"}));
}

TEST_P(StoreContractTest, PruneFinishedDeletesOldDoneJobsAndOldInboxEntriesInBatches) {
  ASSERT_OK(write([](Tx& tx) {
    for (int i = 0; i < 5; ++i) {
      Job done = make_job("done-" + std::to_string(i), JobState::kDone, 0);
      done.updated_at_ms = 1000 + i;  // old
      OF_RETURN_IF_ERROR(tx.put_job(done));
    }
    Job recent = make_job("done-recent", JobState::kDone, 0);
    recent.updated_at_ms = 9000;
    OF_RETURN_IF_ERROR(tx.put_job(recent));
    Job dead = make_job("dead-old", JobState::kDead, 0);
    dead.updated_at_ms = 1000;
    OF_RETURN_IF_ERROR(tx.put_job(dead));
    Job queued = make_job("queued-old", JobState::kQueued, 0);
    queued.updated_at_ms = 1000;
    OF_RETURN_IF_ERROR(tx.put_job(queued));
    for (const char* id : {"a1", "a2", "a3", "m9"}) {
      OF_RETURN_IF_ERROR(tx.inbox_insert("inventory", EventId(id)).status());
      OF_RETURN_IF_ERROR(tx.inbox_insert("payments", EventId(id)).status());
    }
    return Status::ok();
  }));
  int64_t first = 0, second = 0, third = 0;
  // Limit 3 per table (per subscription for the inbox): jobs 3 + inbox 2 x 3.
  ASSERT_OK(write([&](Tx& tx) -> Status {
    OF_ASSIGN_OR_RETURN(first, tx.prune_finished(5000, EventId("b"), 3));
    return Status::ok();
  }));
  ASSERT_OK(write([&](Tx& tx) -> Status {
    OF_ASSIGN_OR_RETURN(second, tx.prune_finished(5000, EventId("b"), 3));
    return Status::ok();
  }));
  ASSERT_OK(write([&](Tx& tx) -> Status {
    OF_ASSIGN_OR_RETURN(third, tx.prune_finished(5000, EventId("b"), 3));
    return Status::ok();
  }));
  EXPECT_EQ(first, 3 + 3 + 3);
  EXPECT_EQ(second, 2);
  EXPECT_EQ(third, 0);
  ASSERT_OK(write([](Tx& tx) {
    for (int i = 0; i < 5; ++i) EXPECT_FALSE(tx.get_job(JobId("done-" + std::to_string(i))).value().has_value());
    EXPECT_TRUE(tx.get_job(JobId("done-recent")).value().has_value());
    EXPECT_TRUE(tx.get_job(JobId("dead-old")).value().has_value());
    EXPECT_TRUE(tx.get_job(JobId("queued-old")).value().has_value());
    EXPECT_FALSE(tx.inbox_insert("inventory", EventId("m9")).value());  // newer than the cut: kept
    EXPECT_TRUE(tx.inbox_insert("inventory", EventId("a2")).value());   // older: was deleted
    return Status::ok();
  }));
}

TEST_P(StoreContractTest, IdempotencyRecordsPutGetReplaceRollBackAndPruneOldestFirst) {
  auto record = [](const std::string& key, TimeMs created_at_ms) {
    IdempotencyRecord r;
    r.key = key;
    // fmt rather than operator+ on a literal: GCC 12 warns falsely (-Wrestrict) on the latter.
    r.request_hash = fmt::format("hash-{}", key);
    r.status = 201;
    r.body = fmt::format(R"({{"id":"ord-{}"}})", key);
    r.location = fmt::format("/v1/orders/ord-{}", key);
    r.created_at_ms = created_at_ms;
    return r;
  };
  EXPECT_FALSE(query([](Tx& tx) { return tx.get_idempotent("missing"); }).has_value());
  ASSERT_OK(write([&](Tx& tx) {
    for (int i = 0; i < 5; ++i) OF_RETURN_IF_ERROR(tx.put_idempotent(record(fmt::format("k{}", i), 1000 + i)));
    IdempotencyRecord spaced = record("key with spaces ~!", 9000);
    spaced.status = 200;
    spaced.location.clear();
    return tx.put_idempotent(spaced);
  }));
  auto k1 = query([](Tx& tx) { return tx.get_idempotent("k1"); });
  ASSERT_TRUE(k1.has_value());
  EXPECT_EQ(k1->key, "k1");
  EXPECT_EQ(k1->request_hash, "hash-k1");
  EXPECT_EQ(k1->status, 201);
  EXPECT_EQ(k1->body, R"({"id":"ord-k1"})");
  EXPECT_EQ(k1->location, "/v1/orders/ord-k1");
  EXPECT_EQ(k1->created_at_ms, 1001);
  auto spaced = query([](Tx& tx) { return tx.get_idempotent("key with spaces ~!"); });
  ASSERT_TRUE(spaced.has_value());
  EXPECT_EQ(spaced->status, 200);
  EXPECT_EQ(spaced->location, "");

  // Replace by key; a failing unit's record is rolled back with it.
  ASSERT_OK(write([&](Tx& tx) {
    IdempotencyRecord replaced = record("k1", 1001);
    replaced.request_hash = "other";
    return tx.put_idempotent(replaced);
  }));
  EXPECT_EQ(query([](Tx& tx) { return tx.get_idempotent("k1"); })->request_hash, "other");
  EXPECT_FALSE(write([&](Tx& tx) -> Status {
                 OF_RETURN_IF_ERROR(tx.put_idempotent(record("doomed", 1)));
                 return Status::conflict("fails after the put");
               }).is_ok());
  EXPECT_FALSE(query([](Tx& tx) { return tx.get_idempotent("doomed"); }).has_value());
  EXPECT_FALSE(store_->read([&](Tx& tx) { return tx.put_idempotent(record("read-only", 1)); }).is_ok());

  // Prune: older than the cut, oldest first, at most `limit` per call.
  int64_t first = 0, second = 0, third = 0;
  ASSERT_OK(write([&](Tx& tx) -> Status {
    OF_ASSIGN_OR_RETURN(first, tx.prune_idempotent(1004, 3));
    return Status::ok();
  }));
  EXPECT_EQ(first, 3);
  EXPECT_FALSE(query([](Tx& tx) { return tx.get_idempotent("k0"); }).has_value());
  EXPECT_FALSE(query([](Tx& tx) { return tx.get_idempotent("k2"); }).has_value());
  EXPECT_TRUE(query([](Tx& tx) { return tx.get_idempotent("k3"); }).has_value());
  ASSERT_OK(write([&](Tx& tx) -> Status {
    OF_ASSIGN_OR_RETURN(second, tx.prune_idempotent(1004, 3));
    OF_ASSIGN_OR_RETURN(third, tx.prune_idempotent(1004, 3));
    return Status::ok();
  }));
  EXPECT_EQ(second, 1);
  EXPECT_EQ(third, 0);
  EXPECT_TRUE(query([](Tx& tx) { return tx.get_idempotent("k4"); }).has_value());
  EXPECT_TRUE(query([](Tx& tx) { return tx.get_idempotent("key with spaces ~!"); }).has_value());
  EXPECT_FALSE(write([](Tx& tx) { return tx.prune_idempotent(1, 0).status(); }).is_ok());
}

TEST_P(StoreContractTest, PendingDeliveriesDueOnlyAtTheHeadOfEachSubject) {
  ASSERT_OK(write([](Tx& tx) {
    OF_RETURN_IF_ERROR(tx.put_pending_delivery(make_pending("inventory", 10, "ord-a", 2, 1000)));  // head a, due
    OF_RETURN_IF_ERROR(tx.put_pending_delivery(make_pending("inventory", 11, "ord-a", 0, 0)));     // waits
    OF_RETURN_IF_ERROR(tx.put_pending_delivery(make_pending("inventory", 12, "ord-b", 1, 5000)));  // head b, later
    OF_RETURN_IF_ERROR(tx.put_pending_delivery(make_pending("inventory", 13, "ord-b", 0, 0)));     // waits
    OF_RETURN_IF_ERROR(tx.put_pending_delivery(make_pending("inventory", 14, "ord-c", 1, 500)));   // head c, due
    return tx.put_pending_delivery(make_pending("payments", 9, "ord-b", 1, 0));                    // other sub
  }));
  using V = std::vector<int64_t>;
  EXPECT_EQ(seqs(query([](Tx& tx) { return tx.due_pending_deliveries("inventory", 1000, 10); })), (V{10, 14}));
  EXPECT_EQ(seqs(query([](Tx& tx) { return tx.due_pending_deliveries("inventory", 999, 10); })), (V{14}));
  EXPECT_EQ(seqs(query([](Tx& tx) { return tx.due_pending_deliveries("inventory", 5000, 10); })), (V{10, 12, 14}));
  EXPECT_EQ(seqs(query([](Tx& tx) { return tx.due_pending_deliveries("inventory", 5000, 2); })), (V{10, 12}));
  EXPECT_EQ(seqs(query([](Tx& tx) { return tx.due_pending_deliveries("payments", 0, 10); })), (V{9}));
  EXPECT_TRUE(query([](Tx& tx) { return tx.due_pending_deliveries("nobody", 5000, 10); }).empty());
  EXPECT_EQ(describe(query([](Tx& tx) { return tx.due_pending_deliveries("inventory", 999, 10); })),
            describe(std::vector<PendingDelivery>{make_pending("inventory", 14, "ord-c", 1, 500)}));

  EXPECT_TRUE(query([](Tx& tx) { return tx.has_pending_delivery("inventory", "ord-b"); }));
  EXPECT_FALSE(query([](Tx& tx) { return tx.has_pending_delivery("inventory", "ord-z"); }));
  EXPECT_FALSE(query([](Tx& tx) { return tx.has_pending_delivery("payments", "ord-a"); }));
  EXPECT_EQ(query([](Tx& tx) { return tx.next_pending_delivery_at("payments"); }), std::optional<TimeMs>(0));
  EXPECT_EQ(query([](Tx& tx) { return tx.next_pending_delivery_at("nobody"); }), std::nullopt);
  EXPECT_EQ(query([](Tx& tx) { return tx.count_pending_deliveries(); }), 6);

  // The head of a is delivered: the next event of a becomes the head, due now.
  // The head of b is retried again later (put replaces by key).
  ASSERT_OK(write([](Tx& tx) {
    OF_RETURN_IF_ERROR(tx.delete_pending_delivery("inventory", 10));
    OF_RETURN_IF_ERROR(tx.delete_pending_delivery("inventory", 99));  // absent: no error
    return tx.put_pending_delivery(make_pending("inventory", 12, "ord-b", 2, 9000));
  }));
  EXPECT_EQ(seqs(query([](Tx& tx) { return tx.due_pending_deliveries("inventory", 1000, 10); })), (V{11, 14}));
  EXPECT_EQ(seqs(query([](Tx& tx) { return tx.due_pending_deliveries("inventory", 8999, 10); })), (V{11, 14}));
  EXPECT_EQ(seqs(query([](Tx& tx) { return tx.due_pending_deliveries("inventory", 9000, 10); })), (V{11, 12, 14}));
  EXPECT_EQ(query([](Tx& tx) { return tx.count_pending_deliveries(); }), 5);

  ASSERT_OK(write([](Tx& tx) {
    OF_RETURN_IF_ERROR(tx.delete_pending_delivery("inventory", 11));
    OF_RETURN_IF_ERROR(tx.delete_pending_delivery("inventory", 13));
    return tx.delete_pending_delivery("payments", 9);
  }));
  EXPECT_EQ(query([](Tx& tx) { return tx.next_pending_delivery_at("inventory"); }), std::optional<TimeMs>(500));
  EXPECT_FALSE(query([](Tx& tx) { return tx.has_pending_delivery("inventory", "ord-a"); }));
}

// Jobs ----------------------------------------------------------------------------

TEST_P(StoreContractTest, DueJobsIncludeRunningJobsPastTheirLease) {
  EXPECT_EQ(query([](Tx& tx) { return tx.next_job_at(); }), std::nullopt);
  ASSERT_OK(write([](Tx& tx) {
    OF_RETURN_IF_ERROR(tx.put_job(make_job("job-1", JobState::kQueued, 5000)));    // due
    OF_RETURN_IF_ERROR(tx.put_job(make_job("job-2", JobState::kQueued, 20000)));   // not yet
    OF_RETURN_IF_ERROR(tx.put_job(make_job("job-3", JobState::kRunning, 8000)));   // lease expired: due
    OF_RETURN_IF_ERROR(tx.put_job(make_job("job-4", JobState::kRunning, 15000)));  // lease live
    OF_RETURN_IF_ERROR(tx.put_job(make_job("job-5", JobState::kDone, 0)));
    OF_RETURN_IF_ERROR(tx.put_job(make_job("job-6", JobState::kDead, 0)));
    return tx.put_job(make_job("job-7", JobState::kQueued, 5000, "ord-2"));  // ties with job-1
  }));
  using V = std::vector<std::string>;
  EXPECT_EQ(ids(query([](Tx& tx) { return tx.due_jobs(10000, 10); })), (V{"job-1", "job-7", "job-3"}));
  EXPECT_EQ(ids(query([](Tx& tx) { return tx.due_jobs(10000, 2); })), (V{"job-1", "job-7"}));
  EXPECT_EQ(ids(query([](Tx& tx) { return tx.due_jobs(4999, 10); })), V{});
  EXPECT_EQ(ids(query([](Tx& tx) { return tx.due_jobs(20000, 10); })),
            (V{"job-1", "job-7", "job-3", "job-4", "job-2"}));
  EXPECT_EQ(query([](Tx& tx) { return tx.next_job_at(); }), std::optional<TimeMs>(5000));
  EXPECT_EQ(describe(query([](Tx& tx) { return tx.get_job(JobId("job-3")); })),
            describe(make_job("job-3", JobState::kRunning, 8000)));
  EXPECT_EQ(describe(query([](Tx& tx) { return tx.get_job(JobId("job-404")); })), "none");
  EXPECT_EQ(ids(query([](Tx& tx) { return tx.jobs_for_subject("ord-2"); })), (V{"job-7"}));
  EXPECT_EQ(query([](Tx& tx) { return tx.jobs_for_subject("ord-1"); }).size(), 6u);
  EXPECT_EQ(query([](Tx& tx) { return tx.count_jobs(JobState::kQueued); }), 3);
  EXPECT_EQ(query([](Tx& tx) { return tx.count_jobs(JobState::kRunning); }), 2);
  EXPECT_EQ(query([](Tx& tx) { return tx.count_jobs(JobState::kDone); }), 1);
  EXPECT_EQ(query([](Tx& tx) { return tx.count_jobs(JobState::kDead); }), 1);

  // Finishing job-1 and job-7 leaves job-3 as the earliest.
  ASSERT_OK(write([](Tx& tx) {
    Job done = make_job("job-1", JobState::kDone, 5000);
    done.result_json = R"({"reference":"ch_1"})";
    OF_RETURN_IF_ERROR(tx.put_job(done));
    return tx.put_job(make_job("job-7", JobState::kDead, 5000, "ord-2"));
  }));
  EXPECT_EQ(query([](Tx& tx) { return tx.get_job(JobId("job-1")); })->result_json, R"({"reference":"ch_1"})");
  EXPECT_EQ(query([](Tx& tx) { return tx.next_job_at(); }), std::optional<TimeMs>(8000));
  EXPECT_EQ(ids(query([](Tx& tx) { return tx.due_jobs(10000, 10); })), (V{"job-3"}));
}

// Dead letters -----------------------------------------------------------------------

TEST_P(StoreContractTest, DeadLettersInsertListAndUpdate) {
  int64_t first = 0;
  int64_t second = 0;
  int64_t third = 0;
  ASSERT_OK(write([&](Tx& tx) {
    OF_ASSIGN_OR_RETURN(first, tx.insert_dead_letter(make_dead_letter(DeadLetterKind::kEvent, "inventory")));
    OF_ASSIGN_OR_RETURN(second, tx.insert_dead_letter(make_dead_letter(DeadLetterKind::kJob, "payment.charge")));
    OF_ASSIGN_OR_RETURN(third, tx.insert_dead_letter(make_dead_letter(DeadLetterKind::kEvent, "notifications")));
    return Status::ok();
  }));
  EXPECT_GT(first, 0);
  EXPECT_GT(second, first);
  EXPECT_GT(third, second);
  DeadLetter expected = make_dead_letter(DeadLetterKind::kJob, "payment.charge");
  expected.id = second;
  EXPECT_EQ(describe(query([&](Tx& tx) { return tx.get_dead_letter(second); })), describe(expected));
  EXPECT_EQ(describe(query([&](Tx& tx) { return tx.get_dead_letter(third + 100); })), "none");

  expected.redriven_at_ms = 1700000009000;
  ASSERT_OK(write([&](Tx& tx) { return tx.put_dead_letter(expected); }));
  EXPECT_EQ(describe(query([&](Tx& tx) { return tx.get_dead_letter(second); })), describe(expected));

  auto list = [&](bool include_redriven, int64_t after_id, int limit) {
    std::vector<int64_t> out;
    for (const auto& letter : query([&](Tx& tx) { return tx.list_dead_letters(include_redriven, after_id, limit); })) {
      out.push_back(letter.id);
    }
    return out;
  };
  using V = std::vector<int64_t>;
  EXPECT_EQ(list(false, 0, 10), (V{first, third}));
  EXPECT_EQ(list(true, 0, 10), (V{first, second, third}));
  EXPECT_EQ(list(true, first, 10), (V{second, third}));
  EXPECT_EQ(list(true, 0, 2), (V{first, second}));
  EXPECT_EQ(list(false, first, 1), (V{third}));

  DeadLetter absent = expected;
  absent.id = third + 100;
  EXPECT_EQ(write([&](Tx& tx) { return tx.put_dead_letter(absent); }).code(), Code::kNotFound);
}

// Transactions -------------------------------------------------------------------------

TEST_P(StoreContractTest, FailingUnitInABatchRollsBackAlone) {
  Gate gate;
  gate.close_on(*store_);
  Completions completions(3);
  store_->submit(
      [](Tx& tx) {
        OF_RETURN_IF_ERROR(tx.put_product(make_product("a")));
        return tx.append_event(make_event("ea", "ord-a")).status();
      },
      completions.done(0));
  store_->submit(
      [](Tx& tx) {
        OF_RETURN_IF_ERROR(tx.insert_order(make_order("ord-b")));
        OF_RETURN_IF_ERROR(tx.put_product(make_product("a", 1)));  // overwrites a's row, then is undone
        OF_RETURN_IF_ERROR(tx.append_event(make_event("eb1", "ord-b")).status());
        OF_RETURN_IF_ERROR(tx.append_event(make_event("eb2", "ord-b")).status());
        return Status::conflict("unit b fails");
      },
      completions.done(1));
  store_->submit(
      [](Tx& tx) {
        OF_RETURN_IF_ERROR(tx.put_product(make_product("c")));
        return tx.append_event(make_event("ec", "ord-c")).status();
      },
      completions.done(2));
  gate.release();
  completions.wait_all();

  EXPECT_OK(completions.status(0));
  EXPECT_EQ(completions.status(1).code(), Code::kConflict);
  EXPECT_EQ(completions.status(1).message(), "unit b fails");
  EXPECT_OK(completions.status(2));

  EXPECT_EQ(describe(query([](Tx& tx) { return tx.get_order(OrderId("ord-b")); })), "none");
  EXPECT_EQ(query([](Tx& tx) { return tx.get_product(Sku("a")); })->price_minor, 1000);
  EXPECT_TRUE(query([](Tx& tx) { return tx.get_product(Sku("c")); }).has_value());
  const auto events = query([](Tx& tx) { return tx.read_events(0, 10); });
  EXPECT_EQ(ids(events), (std::vector<std::string>{"ea", "ec"}));
  EXPECT_EQ(seqs(events), (std::vector<int64_t>{1, 2}));

  // The three units shared one commit, whose info holds only a's and c's events.
  const auto commits = recorder_->commits();
  ASSERT_FALSE(commits.empty());
  const CommitInfo& last = commits.back();
  EXPECT_EQ(last.units, 2);
  EXPECT_EQ(ids(last.events), (std::vector<std::string>{"ea", "ec"}));
  EXPECT_EQ(seqs(last.events), (std::vector<int64_t>{1, 2}));
  const StoreStats stats = store_->stats();
  EXPECT_EQ(stats.last_batch_units, 3);
  EXPECT_EQ(stats.units_failed, 1);
  EXPECT_EQ(stats.units, 4);  // the gate too
}

TEST_P(StoreContractTest, RollbackUndoesEveryKindOfWrite) {
  // State touching every table, then a unit that changes all of it and fails.
  ASSERT_OK(write([](Tx& tx) {
    OF_RETURN_IF_ERROR(tx.put_product(make_product("sku-1")));
    OF_RETURN_IF_ERROR(tx.put_stock(make_stock("sku-1", 10, 2)));
    OF_RETURN_IF_ERROR(tx.put_reservation(make_reservation("res-1", "ord-1")));
    OF_RETURN_IF_ERROR(tx.insert_order(make_order("ord-1")));
    OF_RETURN_IF_ERROR(tx.append_status_change(OrderId("ord-1"), {1, std::nullopt, OrderStatus::kPending, "", 1}));
    OF_RETURN_IF_ERROR(tx.put_payment(make_payment("pay-1", "ord-1")));
    OF_RETURN_IF_ERROR(tx.put_shipment(make_shipment("shp-1", "ord-1")));
    OF_RETURN_IF_ERROR(tx.append_event(make_event("e1")).status());
    OF_RETURN_IF_ERROR(tx.set_checkpoint("inventory", 1));
    OF_RETURN_IF_ERROR(tx.inbox_insert("inventory", EventId("e1")).status());
    OF_RETURN_IF_ERROR(tx.put_pending_delivery(make_pending("inventory", 1, "ord-1", 1, 100)));
    OF_RETURN_IF_ERROR(tx.put_job(make_job("job-1", JobState::kQueued, 100)));
    return tx.insert_dead_letter(make_dead_letter(DeadLetterKind::kEvent, "inventory")).status();
  }));
  auto dump = [&] {
    return query([](Tx& tx) -> Result<std::string> {
      std::string out;
      OF_ASSIGN_OR_RETURN(auto products, tx.list_products(std::nullopt, 100));
      OF_ASSIGN_OR_RETURN(auto stock, tx.list_stock(std::nullopt, 100));
      OF_ASSIGN_OR_RETURN(auto reservations, tx.list_active_reservations(100));
      OF_ASSIGN_OR_RETURN(auto reservation_2, tx.get_reservation_for_order(OrderId("ord-2")));
      OrderFilter filter;
      OF_ASSIGN_OR_RETURN(auto orders, tx.list_orders(filter));
      OF_ASSIGN_OR_RETURN(auto history_1, tx.status_history(OrderId("ord-1")));
      OF_ASSIGN_OR_RETURN(auto history_2, tx.status_history(OrderId("ord-2")));
      OF_ASSIGN_OR_RETURN(auto payment_1, tx.get_payment_for_order(OrderId("ord-1")));
      OF_ASSIGN_OR_RETURN(auto payment_2, tx.get_payment_for_order(OrderId("ord-2")));
      OF_ASSIGN_OR_RETURN(auto shipment_1, tx.get_shipment_for_order(OrderId("ord-1")));
      OF_ASSIGN_OR_RETURN(auto shipment_2, tx.get_shipment_for_order(OrderId("ord-2")));
      OF_ASSIGN_OR_RETURN(auto events, tx.read_events(0, 100));
      OF_ASSIGN_OR_RETURN(auto last_seq, tx.last_event_seq());
      OF_ASSIGN_OR_RETURN(auto checkpoint, tx.get_checkpoint("inventory"));
      OF_ASSIGN_OR_RETURN(auto checkpoint_new, tx.get_checkpoint("payments"));
      OF_ASSIGN_OR_RETURN(auto pending, tx.due_pending_deliveries("inventory", 1 << 30, 100));
      OF_ASSIGN_OR_RETURN(auto pending_count, tx.count_pending_deliveries());
      OF_ASSIGN_OR_RETURN(auto jobs, tx.due_jobs(1 << 30, 100));
      OF_ASSIGN_OR_RETURN(auto letters, tx.list_dead_letters(true, 0, 100));
      out += describe(products) + describe(stock) + describe(reservations) + describe(reservation_2) +
             describe(orders) + describe(history_1) + describe(history_2) + describe(payment_1) + describe(payment_2) +
             describe(shipment_1) + describe(shipment_2) + describe(events) +
             fmt::format("{} {} {} {}", last_seq, checkpoint, checkpoint_new, pending_count) + describe(pending) +
             describe(jobs) + describe(letters);
      return out;
    });
  };
  const std::string before = dump();

  const Status failed = write([](Tx& tx) {
    OF_RETURN_IF_ERROR(tx.put_product(make_product("sku-1", 1)));
    OF_RETURN_IF_ERROR(tx.put_product(make_product("sku-2")));
    OF_RETURN_IF_ERROR(tx.put_stock(make_stock("sku-1", 10, 10)));
    OF_RETURN_IF_ERROR(tx.put_stock(make_stock("sku-2", 1)));
    OF_RETURN_IF_ERROR(tx.put_reservation(make_reservation("res-1", "ord-2")));  // moves to another order
    OF_RETURN_IF_ERROR(tx.insert_order(make_order("ord-2")));
    Order changed = make_order("ord-1");
    changed.status = OrderStatus::kCancelled;
    OF_RETURN_IF_ERROR(tx.update_order(changed));
    OF_RETURN_IF_ERROR(
        tx.append_status_change(OrderId("ord-1"), {2, OrderStatus::kPending, OrderStatus::kCancelled, "", 2}));
    OF_RETURN_IF_ERROR(tx.append_status_change(OrderId("ord-2"), {2, std::nullopt, OrderStatus::kPending, "", 2}));
    OF_RETURN_IF_ERROR(tx.put_payment(make_payment("pay-1", "ord-2")));
    OF_RETURN_IF_ERROR(tx.put_shipment(make_shipment("shp-2", "ord-2")));
    OF_RETURN_IF_ERROR(tx.append_event(make_event("e2")).status());
    OF_RETURN_IF_ERROR(tx.set_checkpoint("inventory", 2));
    OF_RETURN_IF_ERROR(tx.set_checkpoint("payments", 2));
    OF_RETURN_IF_ERROR(tx.inbox_insert("inventory", EventId("e2")).status());
    OF_RETURN_IF_ERROR(tx.delete_pending_delivery("inventory", 1));
    OF_RETURN_IF_ERROR(tx.put_pending_delivery(make_pending("inventory", 2, "ord-2", 0, 0)));
    OF_RETURN_IF_ERROR(tx.put_job(make_job("job-1", JobState::kRunning, 100)));
    OF_RETURN_IF_ERROR(tx.put_job(make_job("job-2", JobState::kQueued, 100)));
    DeadLetter letter = make_dead_letter(DeadLetterKind::kEvent, "inventory");
    letter.id = 1;
    letter.redriven_at_ms = 5;
    OF_RETURN_IF_ERROR(tx.put_dead_letter(letter));
    OF_RETURN_IF_ERROR(tx.insert_dead_letter(make_dead_letter(DeadLetterKind::kJob, "x")).status());
    OF_ASSIGN_OR_RETURN(auto orders, tx.list_orders(OrderFilter{}));
    EXPECT_EQ(orders.size(), 2u);  // the unit saw its own writes
    return Status::invalid("abandon");
  });
  EXPECT_EQ(failed.code(), Code::kInvalidArgument);
  EXPECT_EQ(dump(), before);

  // The inbox entry and the seq were given back too.
  ASSERT_OK(write([](Tx& tx) {
    EXPECT_TRUE(tx.inbox_insert("inventory", EventId("e2")).value());
    OF_ASSIGN_OR_RETURN(int64_t seq, tx.append_event(make_event("e2")));
    EXPECT_EQ(seq, 2);
    OF_ASSIGN_OR_RETURN(int64_t letter_id, tx.insert_dead_letter(make_dead_letter(DeadLetterKind::kJob, "x")));
    EXPECT_EQ(letter_id, 2);
    return Status::ok();
  }));
}

TEST_P(StoreContractTest, NestedRollsBackItsOwnWritesAndEvents) {
  Status outer_result;
  Status inner_result;
  ASSERT_OK(write([&](Tx& tx) {
    OF_RETURN_IF_ERROR(tx.put_product(make_product("p1", 100)));
    const Status failed = tx.nested([&] {
      OF_RETURN_IF_ERROR(tx.put_product(make_product("p1", 200)));
      OF_RETURN_IF_ERROR(tx.put_product(make_product("p2")));
      OF_RETURN_IF_ERROR(tx.append_event(make_event("rolled-back")).status());
      return Status::conflict("nested fails");
    });
    EXPECT_EQ(failed.code(), Code::kConflict);
    EXPECT_EQ(failed.message(), "nested fails");
    // Inside the unit the nested writes are already gone.
    OF_ASSIGN_OR_RETURN(auto p1, tx.get_product(Sku("p1")));
    EXPECT_EQ(p1->price_minor, 100);
    OF_ASSIGN_OR_RETURN(auto p2, tx.get_product(Sku("p2")));
    EXPECT_FALSE(p2.has_value());

    outer_result = tx.nested([&] {
      OF_RETURN_IF_ERROR(tx.put_product(make_product("p3")));
      inner_result = tx.nested([&] {
        OF_RETURN_IF_ERROR(tx.put_product(make_product("p4")));
        OF_RETURN_IF_ERROR(tx.append_event(make_event("inner")).status());
        return Status::internal("inner fails");
      });
      return tx.append_event(make_event("outer")).status();  // goes on after the inner failure
    });
    return tx.append_event(make_event("unit")).status();
  }));
  EXPECT_OK(outer_result);
  EXPECT_EQ(inner_result.code(), Code::kInternal);
  EXPECT_EQ(query([](Tx& tx) { return tx.get_product(Sku("p1")); })->price_minor, 100);
  EXPECT_FALSE(query([](Tx& tx) { return tx.get_product(Sku("p2")); }).has_value());
  EXPECT_TRUE(query([](Tx& tx) { return tx.get_product(Sku("p3")); }).has_value());
  EXPECT_FALSE(query([](Tx& tx) { return tx.get_product(Sku("p4")); }).has_value());
  const auto events = query([](Tx& tx) { return tx.read_events(0, 10); });
  EXPECT_EQ(ids(events), (std::vector<std::string>{"outer", "unit"}));
  EXPECT_EQ(seqs(events), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(ids(recorder_->events()), (std::vector<std::string>{"outer", "unit"}));
  EXPECT_EQ(seqs(recorder_->events()), (std::vector<int64_t>{1, 2}));

  // A nested failure inside a unit that then fails is rolled back with it.
  const Status unit = write([&](Tx& tx) {
    OF_RETURN_IF_ERROR(tx.nested([&] { return tx.put_product(make_product("p5")); }));
    return Status::internal("unit fails");
  });
  EXPECT_EQ(unit.code(), Code::kInternal);
  EXPECT_FALSE(query([](Tx& tx) { return tx.get_product(Sku("p5")); }).has_value());
}

TEST_P(StoreContractTest, SeqHasNoGapsAfterRolledBackUnits) {
  ASSERT_OK(write([](Tx& tx) { return tx.append_event(make_event("e1")).status(); }));
  const Status failed = write([](Tx& tx) {
    OF_RETURN_IF_ERROR(tx.append_event(make_event("x1")).status());
    OF_RETURN_IF_ERROR(tx.append_event(make_event("x2")).status());
    return Status::unavailable("fail after appending");
  });
  EXPECT_EQ(failed.code(), Code::kUnavailable);
  int64_t seq = 0;
  ASSERT_OK(write([&](Tx& tx) {
    OF_ASSIGN_OR_RETURN(seq, tx.append_event(make_event("e2")));
    return Status::ok();
  }));
  EXPECT_EQ(seq, 2);
  // The rolled-back ids were never stored, so they can be appended now.
  ASSERT_OK(write([](Tx& tx) { return tx.append_event(make_event("x1")).status(); }));
  const auto events = query([](Tx& tx) { return tx.read_events(0, 10); });
  EXPECT_EQ(ids(events), (std::vector<std::string>{"e1", "e2", "x1"}));
  EXPECT_EQ(seqs(events), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(seqs(recorder_->events()), (std::vector<int64_t>{1, 2, 3}));
}

TEST_P(StoreContractTest, ConcurrentSubmitsAllCompleteInBatches) {
  constexpr int kThreads = 8;
  constexpr int kUnitsPerThread = 500;
  constexpr int kUnits = kThreads * kUnitsPerThread;
  Completions completions(kUnits);
  std::atomic<int> work_runs{0};
  {
    // The writer waits in the gate until every unit is queued, so the units
    // cannot all run one by one, whatever the scheduler does.
    Gate gate;
    gate.close_on(*store_);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kUnitsPerThread; ++i) {
          const int index = t * kUnitsPerThread + i;
          store_->submit(
              [&, t, i](Tx& tx) {
                ++work_runs;
                OF_RETURN_IF_ERROR(tx.inbox_insert(fmt::format("sub-{}", t), EventId(std::to_string(i))).status());
                return tx.append_event(make_event(fmt::format("t{}-{}", t, i), fmt::format("thread-{}", t))).status();
              },
              completions.done(index));
        }
      });
    }
    for (auto& thread : threads) thread.join();
    gate.release();
  }
  completions.wait_all();
  for (int i = 0; i < kUnits; ++i) ASSERT_OK(completions.status(i));
  EXPECT_EQ(work_runs.load(), kUnits);
  EXPECT_EQ(query([](Tx& tx) { return tx.last_event_seq(); }), kUnits);

  const StoreStats stats = store_->stats();
  EXPECT_EQ(stats.units, kUnits + 1);
  EXPECT_EQ(stats.units_failed, 0);
  EXPECT_GT(stats.max_batch_units, 1);
  EXPECT_LT(stats.commits, kUnits);

  // Listeners saw every event once, in seq order, each thread's in submission order.
  const auto events = recorder_->events();
  ASSERT_EQ(static_cast<int>(events.size()), kUnits);
  std::map<std::string, int> next_per_thread;
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].seq, static_cast<int64_t>(i) + 1);
    int& next = next_per_thread[events[i].subject];
    EXPECT_EQ(events[i].id.str(), fmt::format("t{}-{}", events[i].subject.substr(7), next));
    ++next;
  }
  int units_in_infos = 0;
  for (const CommitInfo& info : recorder_->commits()) units_in_infos += info.units;
  EXPECT_EQ(units_in_infos, kUnits + 1);
}

// Reads ------------------------------------------------------------------------------

TEST_P(StoreContractTest, ReadSeesCommittedDataAndRefusesWrites) {
  ASSERT_OK(write([](Tx& tx) { return tx.put_product(make_product("a")); }));
  EXPECT_TRUE(query([](Tx& tx) { return tx.get_product(Sku("a")); }).has_value());

  std::vector<Status> refused;
  const Status read_status = store_->read([&](Tx& tx) {
    refused.push_back(tx.put_product(make_product("b")));
    refused.push_back(tx.put_stock(make_stock("b", 1)));
    refused.push_back(tx.put_reservation(make_reservation("r", "o")));
    refused.push_back(tx.insert_order(make_order("o")));
    refused.push_back(tx.update_order(make_order("o")));
    refused.push_back(tx.append_status_change(OrderId("o"), {}));
    refused.push_back(tx.put_payment(make_payment("p", "o")));
    refused.push_back(tx.put_shipment(make_shipment("s", "o")));
    refused.push_back(tx.append_event(make_event("e")).status());
    refused.push_back(tx.set_checkpoint("s", 1));
    refused.push_back(tx.inbox_insert("s", EventId("e")).status());
    refused.push_back(tx.put_pending_delivery(make_pending("s", 1, "o", 0, 0)));
    refused.push_back(tx.delete_pending_delivery("s", 1));
    refused.push_back(tx.put_job(make_job("j", JobState::kQueued, 0)));
    refused.push_back(tx.insert_dead_letter(make_dead_letter(DeadLetterKind::kJob, "x")).status());
    refused.push_back(tx.put_dead_letter(make_dead_letter(DeadLetterKind::kJob, "x")));
    refused.push_back(tx.nested([&] { return tx.put_product(make_product("c")); }));
    return Status::ok();
  });
  EXPECT_OK(read_status);
  ASSERT_EQ(refused.size(), 17u);
  for (const Status& status : refused) {
    EXPECT_EQ(status.code(), Code::kInternal) << status.to_string();
    EXPECT_EQ(status.message(), "read-only transaction");
  }
  EXPECT_FALSE(query([](Tx& tx) { return tx.get_product(Sku("b")); }).has_value());
  // A reader's own error comes back from read().
  EXPECT_EQ(store_->read([](Tx&) { return Status::not_found("nope"); }).code(), Code::kNotFound);
}

TEST_P(StoreContractTest, ConcurrentReadersSeeWholeUnitsOnly) {
  // Each unit sets a product's price and a stock level to the same i; a
  // reader must never see the two disagree.
  constexpr int kUnits = 200;
  ASSERT_OK(write([](Tx& tx) {
    OF_RETURN_IF_ERROR(tx.put_product(make_product("p", 0)));
    return tx.put_stock(make_stock("p", 0));
  }));
  std::atomic<bool> writing{true};
  std::atomic<int> mismatches{0};
  std::atomic<int> reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&] {
      // At least a few reads each, however fast the writer is.
      for (int n = 0; writing.load() || n < 5; ++n) {
        const Status status = store_->read([&](Tx& tx) {
          OF_ASSIGN_OR_RETURN(auto product, tx.get_product(Sku("p")));
          OF_ASSIGN_OR_RETURN(auto stock, tx.get_stock(Sku("p")));
          if (!product || !stock || product->price_minor != stock->on_hand) ++mismatches;
          return Status::ok();
        });
        if (!status.is_ok()) ++mismatches;
        ++reads;
      }
    });
  }
  Completions completions(kUnits);
  for (int i = 1; i <= kUnits; ++i) {
    store_->submit(
        [i](Tx& tx) {
          OF_RETURN_IF_ERROR(tx.put_product(make_product("p", i)));
          return tx.put_stock(make_stock("p", i));
        },
        completions.done(i - 1));
  }
  completions.wait_all();
  writing = false;
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_GE(reads.load(), 20);
  EXPECT_EQ(query([](Tx& tx) { return tx.get_product(Sku("p")); })->price_minor, kUnits);
}

// Lifecycle and limits ------------------------------------------------------------------

TEST_P(StoreContractTest, StopFinishesQueuedUnitsThenRefuses) {
  Completions completions(3);
  {
    Gate gate;
    gate.close_on(*store_);
    for (int i = 0; i < 3; ++i) {
      store_->submit([i](Tx& tx) { return tx.append_event(make_event(fmt::format("e{}", i))).status(); },
                     completions.done(i));
    }
    gate.release();
    store_->stop();  // drains the three queued units before returning
  }
  EXPECT_EQ(completions.completed(), 3);
  for (int i = 0; i < 3; ++i) EXPECT_OK(completions.status(i));
  EXPECT_EQ(seqs(recorder_->events()), (std::vector<int64_t>{1, 2, 3}));

  bool ran = false;
  std::optional<Status> refused;
  store_->submit(
      [&](Tx&) {
        ran = true;
        return Status::ok();
      },
      [&](const Status& status) { refused = status; });
  ASSERT_TRUE(refused.has_value());  // refused synchronously
  EXPECT_EQ(refused->code(), Code::kUnavailable);
  EXPECT_FALSE(ran);
  EXPECT_EQ(store_->write([](Tx&) { return Status::ok(); }).code(), Code::kUnavailable);
  EXPECT_EQ(store_->read([](Tx&) { return Status::ok(); }).code(), Code::kUnavailable);
  store_->stop();  // idempotent
}

TEST_P(StoreContractTest, FullQueueRefusesWithLimitExceeded) {
  open_store(Limits{.batch_units_max = 1024, .queue_units_max = 2});
  Completions completions(2);
  bool ran = false;
  std::optional<Status> refused;
  {
    Gate gate;
    gate.close_on(*store_);  // the writer holds the gate; the queue is empty
    store_->submit([](Tx& tx) { return tx.put_product(make_product("a")); }, completions.done(0));
    store_->submit([](Tx& tx) { return tx.put_product(make_product("b")); }, completions.done(1));
    store_->submit(
        [&](Tx&) {
          ran = true;
          return Status::ok();
        },
        [&](const Status& status) { refused = status; });
    ASSERT_TRUE(refused.has_value());  // refused synchronously
    EXPECT_EQ(refused->code(), Code::kLimitExceeded);
  }
  completions.wait_all();
  EXPECT_OK(completions.status(0));
  EXPECT_OK(completions.status(1));
  EXPECT_FALSE(ran);
  EXPECT_EQ(query([](Tx& tx) { return tx.list_products(std::nullopt, 10); }).size(), 2u);
}

TEST_P(StoreContractTest, BatchesNeverExceedTheirBound) {
  open_store(Limits{.batch_units_max = 3, .queue_units_max = 100});
  Completions completions(10);
  {
    Gate gate;
    gate.close_on(*store_);
    for (int i = 0; i < 10; ++i) {
      store_->submit([i](Tx& tx) { return tx.append_event(make_event(fmt::format("e{}", i))).status(); },
                     completions.done(i));
    }
  }
  completions.wait_all();
  const StoreStats stats = store_->stats();
  EXPECT_EQ(stats.max_batch_units, 3);
  EXPECT_EQ(stats.units, 11);
  EXPECT_GE(stats.commits, 5);  // the gate, then 10 units in batches of at most 3
  for (const CommitInfo& info : recorder_->commits()) EXPECT_LE(info.units, 3);
}

TEST_P(StoreContractTest, UnitThatThrowsFailsAlone) {
  const Status thrown = write([](Tx& tx) -> Status {
    OF_RETURN_IF_ERROR(tx.put_product(make_product("a")));
    throw std::runtime_error("boom");
  });
  EXPECT_EQ(thrown.code(), Code::kInternal);
  EXPECT_NE(thrown.message().find("boom"), std::string::npos);
  EXPECT_FALSE(query([](Tx& tx) { return tx.get_product(Sku("a")); }).has_value());
  EXPECT_OK(write([](Tx& tx) { return tx.put_product(make_product("b")); }));
}

INSTANTIATE_TEST_SUITE_P(Adapters, StoreContractTest, ::testing::Values(Adapter::kMemory, Adapter::kSqlite),
                         [](const ::testing::TestParamInfo<Adapter>& info) {
                           return info.param == Adapter::kMemory ? "memory" : "sqlite";
                         });

// ---------------------------------------------------------------------------
// What only the sqlite adapter can do: survive a restart, and own a schema.

class SqliteStoreTest : public ::testing::Test {
 protected:
  SqliteStoreOptions options() const {
    SqliteStoreOptions options;
    options.path = (dir_.path() / "orderflow.db").string();
    return options;
  }

  // Runs one statement on the file with a plain sqlite3 connection and
  // returns the first column of the first row as text; `rc` gets the step's result.
  std::string sql(const char* statement, int* rc_out = nullptr) const {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(options().path.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, statement, -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    std::string out;
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    if (rc_out != nullptr) {
      *rc_out = rc;
    } else {
      EXPECT_TRUE(rc == SQLITE_ROW || rc == SQLITE_DONE) << sqlite3_errmsg(db);
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return out;
  }

  of::testing::TempDir dir_;
};

TEST_F(SqliteStoreTest, ReopenKeepsEverythingAndContinuesTheSeq) {
  {
    SqliteStore store(options());
    ASSERT_OK(store.start());
    ASSERT_OK(store.write([](Tx& tx) {
      OF_RETURN_IF_ERROR(tx.put_product(make_product("sku-1")));
      OF_RETURN_IF_ERROR(tx.put_stock(make_stock("sku-1", 10, 2, 1)));
      OF_RETURN_IF_ERROR(tx.insert_order(make_order("ord-1")));
      OF_RETURN_IF_ERROR(tx.append_status_change(OrderId("ord-1"), {1, std::nullopt, OrderStatus::kPending, "", 1}));
      OF_RETURN_IF_ERROR(tx.put_reservation(make_reservation("res-1", "ord-1")));
      OF_RETURN_IF_ERROR(tx.put_payment(make_payment("pay-1", "ord-1")));
      OF_RETURN_IF_ERROR(tx.put_shipment(make_shipment("shp-1", "ord-1")));
      for (const char* id : {"e1", "e2", "e3"}) OF_RETURN_IF_ERROR(tx.append_event(make_event(id)).status());
      OF_RETURN_IF_ERROR(tx.set_checkpoint("inventory", 3));
      OF_RETURN_IF_ERROR(tx.inbox_insert("inventory", EventId("e1")).status());
      OF_RETURN_IF_ERROR(tx.put_pending_delivery(make_pending("inventory", 2, "ord-1", 1, 100)));
      OF_RETURN_IF_ERROR(tx.put_job(make_job("job-1", JobState::kQueued, 100)));
      return tx.insert_dead_letter(make_dead_letter(DeadLetterKind::kEvent, "inventory")).status();
    }));
    // A rolled-back append at the very end must not leak into the next run's seq.
    EXPECT_FALSE(store
                     .write([](Tx& tx) {
                       OF_RETURN_IF_ERROR(tx.append_event(make_event("lost")).status());
                       return Status::internal("no");
                     })
                     .is_ok());
    store.stop();
  }
  SqliteStore store(options());
  ASSERT_OK(store.start());
  std::string state;
  ASSERT_OK(store.read([&](Tx& tx) {
    state += describe(tx.get_product(Sku("sku-1")).value());
    state += describe(tx.get_stock(Sku("sku-1")).value());
    state += describe(tx.get_order(OrderId("ord-1")).value());
    state += describe(tx.status_history(OrderId("ord-1")).value());
    state += describe(tx.get_reservation_for_order(OrderId("ord-1")).value());
    state += describe(tx.get_payment_for_order(OrderId("ord-1")).value());
    state += describe(tx.get_shipment_for_order(OrderId("ord-1")).value());
    state += describe(tx.read_events(0, 10).value());
    state += std::to_string(tx.get_checkpoint("inventory").value());
    state += describe(tx.due_pending_deliveries("inventory", 100, 10).value());
    state += describe(tx.get_job(JobId("job-1")).value());
    state += describe(tx.list_dead_letters(true, 0, 10).value());
    return Status::ok();
  }));
  std::string expected;
  expected += describe(make_product("sku-1")) + describe(make_stock("sku-1", 10, 2, 1)) + describe(make_order("ord-1"));
  expected += describe(std::vector<StatusChange>{{1, std::nullopt, OrderStatus::kPending, "", 1}});
  expected += describe(make_reservation("res-1", "ord-1")) + describe(make_payment("pay-1", "ord-1")) +
              describe(make_shipment("shp-1", "ord-1"));
  std::vector<Event> events = {make_event("e1"), make_event("e2"), make_event("e3")};
  for (size_t i = 0; i < events.size(); ++i) events[i].seq = static_cast<int64_t>(i) + 1;
  expected += describe(events) + "3";
  expected += describe(std::vector<PendingDelivery>{make_pending("inventory", 2, "ord-1", 1, 100)});
  expected += describe(make_job("job-1", JobState::kQueued, 100));
  DeadLetter letter = make_dead_letter(DeadLetterKind::kEvent, "inventory");
  letter.id = 1;
  expected += describe(std::vector<DeadLetter>{letter});
  EXPECT_EQ(state, expected);

  ASSERT_OK(store.write([](Tx& tx) {
    EXPECT_FALSE(tx.inbox_insert("inventory", EventId("e1")).value());
    OF_ASSIGN_OR_RETURN(int64_t seq, tx.append_event(make_event("e4")));
    EXPECT_EQ(seq, 4);
    return Status::ok();
  }));
  store.stop();
  EXPECT_EQ(sql("SELECT COUNT(*) FROM schema_migrations"), std::to_string(sqlite::schema_version_latest()));
}

TEST_F(SqliteStoreTest, UsesWalAndStrictTables) {
  SqliteStore store(options());
  ASSERT_OK(store.start());
  EXPECT_EQ(sql("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(sql("SELECT strict FROM pragma_table_list WHERE name = 'orders'"), "1");
  EXPECT_EQ(sql("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'index' AND name LIKE 'orders_by_%'"), "2");
  store.stop();
}

TEST_F(SqliteStoreTest, StockCheckConstraintBacksUpPutStock) {
  {
    SqliteStore store(options());
    ASSERT_OK(store.start());
    store.stop();
  }
  int rc = SQLITE_OK;
  // reserved > on_hand
  sql("INSERT INTO stock (product_id, on_hand, reserved, sold, updated_at_ms) VALUES ('x', 1, 2, 0, 0)", &rc);
  EXPECT_EQ(rc, SQLITE_CONSTRAINT);
  // sold < 0
  sql("INSERT INTO stock (product_id, on_hand, reserved, sold, updated_at_ms) VALUES ('x', 1, 0, -1, 0)", &rc);
  EXPECT_EQ(rc, SQLITE_CONSTRAINT);
  EXPECT_EQ(sql("SELECT COUNT(*) FROM stock"), "0");
}

TEST_F(SqliteStoreTest, RefusesASchemaFromANewerBinary) {
  {
    SqliteStore store(options());
    ASSERT_OK(store.start());
    store.stop();
  }
  sql("INSERT INTO schema_migrations (version, applied_at_ms) VALUES (999, 0)");
  SqliteStore store(options());
  const Status status = store.start();
  EXPECT_EQ(status.code(), Code::kInternal);
  EXPECT_NE(status.message().find("999"), std::string::npos) << status.message();
  EXPECT_EQ(store.write([](Tx&) { return Status::ok(); }).code(), Code::kUnavailable);
}

TEST_F(SqliteStoreTest, RejectsOptionsOutOfBounds) {
  const auto with = [&](auto change) {
    SqliteStoreOptions changed = options();
    change(changed);
    SqliteStore store(changed);
    return store.start().code();
  };
  EXPECT_EQ(with([](SqliteStoreOptions& o) { o.path.clear(); }), Code::kInvalidArgument);
  EXPECT_EQ(with([](SqliteStoreOptions& o) { o.batch_units_max = 0; }), Code::kInvalidArgument);
  EXPECT_EQ(with([](SqliteStoreOptions& o) { o.queue_units_max = 0; }), Code::kInvalidArgument);
  EXPECT_EQ(with([](SqliteStoreOptions& o) { o.readers = 0; }), Code::kInvalidArgument);
  EXPECT_EQ(with([](SqliteStoreOptions& o) { o.readers = SqliteStore::kReadersMax + 1; }), Code::kInvalidArgument);
  EXPECT_EQ(with([](SqliteStoreOptions& o) { o.busy_timeout_ms = -1; }), Code::kInvalidArgument);
  EXPECT_EQ(with([&](SqliteStoreOptions& o) { o.path = (dir_.path() / "missing" / "x.db").string(); }),
            Code::kInternal);
  EXPECT_EQ(with([](SqliteStoreOptions&) {}), Code::kOk);
}

}  // namespace
}  // namespace of::store
