#include "store/sqlite/sqlite_tx.h"

#include <fmt/format.h>

#include <string_view>
#include <utility>

#include "codec/model_json.h"

namespace of::store::sqlite {
namespace {

Status read_only_error() { return Status::internal("read-only transaction"); }

Status check_limit(int limit) {
  if (limit < 1 || limit > kListLimitMax) {
    return Status::invalid(fmt::format("limit must be 1..{}, got {}", kListLimitMax, limit), "limit");
  }
  return Status::ok();
}

Status corrupt(std::string_view what, std::string_view value) {
  return Status::internal(fmt::format("store: corrupt row: bad {} '{}'", what, value));
}

template <class E>
Result<E> decode_enum(std::optional<E> parsed, std::string_view what, const std::string& text) {
  if (!parsed) return corrupt(what, text);
  return *parsed;
}

Result<core::Currency> decode_currency(const std::string& code) {
  // An unset currency is stored as "" and must read back as unset.
  if (code.empty()) return core::Currency();
  auto parsed = core::Currency::parse(code);
  if (!parsed.is_ok()) return corrupt("currency", code);
  return parsed;
}

// Steps through every row, decoding each.
template <class T, class Decode>
Result<std::vector<T>> collect(Statement& statement, Decode decode, std::string_view what) {
  std::vector<T> rows;
  for (;;) {
    const int rc = statement.step();
    if (rc == SQLITE_DONE) return rows;
    if (rc != SQLITE_ROW) return sqlite_error(statement.db(), rc, what);
    OF_ASSIGN_OR_RETURN(T row, decode(statement));
    rows.push_back(std::move(row));
  }
}

// At most one row.
template <class T, class Decode>
Result<std::optional<T>> fetch_one(Statement& statement, Decode decode, std::string_view what) {
  const int rc = statement.step();
  if (rc == SQLITE_DONE) return std::optional<T>();
  if (rc != SQLITE_ROW) return sqlite_error(statement.db(), rc, what);
  OF_ASSIGN_OR_RETURN(T row, decode(statement));
  return std::optional<T>(std::move(row));
}

// One integer from a query that always returns one row (COUNT, MAX, ...).
Result<int64_t> fetch_int(Statement& statement, std::string_view what) {
  const int rc = statement.step();
  if (rc != SQLITE_ROW) return sqlite_error(statement.db(), rc, what);
  return statement.column_int(0);
}

Result<std::optional<int64_t>> fetch_optional_int(Statement& statement, std::string_view what) {
  const int rc = statement.step();
  if (rc != SQLITE_ROW) return sqlite_error(statement.db(), rc, what);
  if (statement.column_is_null(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(statement.column_int(0));
}

// Column lists, shared by every SELECT of a table so the decoders below stay
// in step with them.
#define OF_PRODUCT_COLUMNS "id, name, price_minor, currency, tax_class, updated_at_ms"
Result<Product> decode_product(const Statement& row) {
  Product product;
  product.id = Sku(row.column_text(0));
  product.name = row.column_text(1);
  product.price_minor = row.column_int(2);
  OF_ASSIGN_OR_RETURN(product.currency, decode_currency(row.column_text(3)));
  product.tax_class = row.column_text(4);
  product.updated_at_ms = row.column_int(5);
  return product;
}

#define OF_STOCK_COLUMNS "product_id, on_hand, reserved, sold, updated_at_ms, low_stock_threshold, low_stock_alerted"
Result<StockLevel> decode_stock(const Statement& row) {
  StockLevel stock;
  stock.product_id = Sku(row.column_text(0));
  stock.on_hand = row.column_int(1);
  stock.reserved = row.column_int(2);
  stock.sold = row.column_int(3);
  stock.updated_at_ms = row.column_int(4);
  stock.low_stock_threshold = row.column_int(5);
  stock.low_stock_alerted = row.column_int(6) != 0;
  return stock;
}

#define OF_RESERVATION_COLUMNS \
  "id, order_id, state, items_json, expires_at_ms, created_at_ms, updated_at_ms, release_reason"
Result<Reservation> decode_reservation(const Statement& row) {
  Reservation reservation;
  reservation.id = ReservationId(row.column_text(0));
  reservation.order_id = OrderId(row.column_text(1));
  const std::string state = row.column_text(2);
  OF_ASSIGN_OR_RETURN(reservation.state, decode_enum(core::parse_reservation_state(state), "reservation state", state));
  auto items = codec::decode_reserved_items(row.column_text(3));
  if (!items.is_ok()) return corrupt("reservation items", items.status().message());
  reservation.items = std::move(items).value();
  reservation.expires_at_ms = row.column_int(4);
  reservation.created_at_ms = row.column_int(5);
  reservation.updated_at_ms = row.column_int(6);
  reservation.release_reason = row.column_text(7);
  return reservation;
}

#define OF_ORDER_COLUMNS                                                                                    \
  "id, customer_id, status, currency, lines_json, subtotal_minor, tax_minor, shipping_minor, total_minor, " \
  "shipping_address_json, payment_token, source, traceparent, refunded_minor, created_at_ms, updated_at_ms, version"
Result<Order> decode_order(const Statement& row) {
  Order order;
  order.id = OrderId(row.column_text(0));
  order.customer_id = CustomerId(row.column_text(1));
  const std::string status = row.column_text(2);
  OF_ASSIGN_OR_RETURN(order.status, decode_enum(core::parse_order_status(status), "order status", status));
  OF_ASSIGN_OR_RETURN(order.currency, decode_currency(row.column_text(3)));
  auto lines = codec::decode_order_lines(row.column_text(4));
  if (!lines.is_ok()) return corrupt("order lines", lines.status().message());
  order.lines = std::move(lines).value();
  order.totals.subtotal_minor = row.column_int(5);
  order.totals.tax_minor = row.column_int(6);
  order.totals.shipping_minor = row.column_int(7);
  order.totals.total_minor = row.column_int(8);
  auto address = codec::decode_address(row.column_text(9));
  if (!address.is_ok()) return corrupt("shipping address", address.status().message());
  order.shipping_address = std::move(address).value();
  order.payment_token = row.column_text(10);
  order.source = row.column_text(11);
  order.traceparent = row.column_text(12);
  order.refunded_minor = row.column_int(13);
  order.created_at_ms = row.column_int(14);
  order.updated_at_ms = row.column_int(15);
  order.version = row.column_int(16);
  return order;
}

Result<StatusChange> decode_status_change(const Statement& row) {
  StatusChange change;
  change.event_seq = row.column_int(0);
  if (!row.column_is_null(1)) {
    const std::string from = row.column_text(1);
    OF_ASSIGN_OR_RETURN(change.from, decode_enum(core::parse_order_status(from), "order status", from));
  }
  const std::string to = row.column_text(2);
  OF_ASSIGN_OR_RETURN(change.to, decode_enum(core::parse_order_status(to), "order status", to));
  change.reason = row.column_text(3);
  change.at_ms = row.column_int(4);
  return change;
}

#define OF_PAYMENT_COLUMNS                                                                            \
  "id, order_id, state, amount_minor, currency, idempotency_key, gateway_reference, failure_reason, " \
  "refunded_minor, created_at_ms, updated_at_ms"
Result<Payment> decode_payment(const Statement& row) {
  Payment payment;
  payment.id = PaymentId(row.column_text(0));
  payment.order_id = OrderId(row.column_text(1));
  const std::string state = row.column_text(2);
  OF_ASSIGN_OR_RETURN(payment.state, decode_enum(core::parse_payment_state(state), "payment state", state));
  payment.amount_minor = row.column_int(3);
  OF_ASSIGN_OR_RETURN(payment.currency, decode_currency(row.column_text(4)));
  payment.idempotency_key = row.column_text(5);
  payment.gateway_reference = row.column_text(6);
  payment.failure_reason = row.column_text(7);
  payment.refunded_minor = row.column_int(8);
  payment.created_at_ms = row.column_int(9);
  payment.updated_at_ms = row.column_int(10);
  return payment;
}

#define OF_SHIPMENT_COLUMNS "id, order_id, carrier, tracking_number, state, shipped_at_ms, delivered_at_ms"
Result<Shipment> decode_shipment(const Statement& row) {
  Shipment shipment;
  shipment.id = ShipmentId(row.column_text(0));
  shipment.order_id = OrderId(row.column_text(1));
  shipment.carrier = row.column_text(2);
  shipment.tracking_number = row.column_text(3);
  const std::string state = row.column_text(4);
  OF_ASSIGN_OR_RETURN(shipment.state, decode_enum(core::parse_shipment_state(state), "shipment state", state));
  shipment.shipped_at_ms = row.column_int(5);
  shipment.delivered_at_ms = row.column_int(6);
  return shipment;
}

#define OF_EVENT_COLUMNS "seq, id, type, source, subject, time_ms, traceparent, data_json"
Result<Event> decode_event(const Statement& row) {
  Event event;
  event.seq = row.column_int(0);
  event.id = EventId(row.column_text(1));
  event.type = row.column_text(2);
  event.source = row.column_text(3);
  event.subject = row.column_text(4);
  event.time_ms = row.column_int(5);
  event.traceparent = row.column_text(6);
  event.data_json = row.column_text(7);
  return event;
}

#define OF_PENDING_COLUMNS "subscription, event_seq, subject, attempts, next_attempt_at_ms, last_error"
Result<PendingDelivery> decode_pending(const Statement& row) {
  PendingDelivery delivery;
  delivery.subscription = row.column_text(0);
  delivery.event_seq = row.column_int(1);
  delivery.subject = row.column_text(2);
  delivery.attempts = static_cast<int32_t>(row.column_int(3));
  delivery.next_attempt_at_ms = row.column_int(4);
  delivery.last_error = row.column_text(5);
  return delivery;
}

#define OF_JOB_COLUMNS                                                                              \
  "id, kind, subject, payload_json, state, attempts, next_attempt_at_ms, last_error, result_json, " \
  "created_at_ms, updated_at_ms"
Result<Job> decode_job(const Statement& row) {
  Job job;
  job.id = JobId(row.column_text(0));
  job.kind = row.column_text(1);
  job.subject = row.column_text(2);
  job.payload_json = row.column_text(3);
  const std::string state = row.column_text(4);
  OF_ASSIGN_OR_RETURN(job.state, decode_enum(core::parse_job_state(state), "job state", state));
  job.attempts = static_cast<int32_t>(row.column_int(5));
  job.next_attempt_at_ms = row.column_int(6);
  job.last_error = row.column_text(7);
  job.result_json = row.column_text(8);
  job.created_at_ms = row.column_int(9);
  job.updated_at_ms = row.column_int(10);
  return job;
}

#define OF_DEAD_LETTER_COLUMNS \
  "id, kind, consumer, event_seq, reference, subject, attempts, last_error, created_at_ms, redriven_at_ms"
Result<DeadLetter> decode_dead_letter(const Statement& row) {
  DeadLetter letter;
  letter.id = row.column_int(0);
  const std::string kind = row.column_text(1);
  OF_ASSIGN_OR_RETURN(letter.kind, decode_enum(core::parse_dead_letter_kind(kind), "dead letter kind", kind));
  letter.consumer = row.column_text(2);
  letter.event_seq = row.column_int(3);
  letter.reference = row.column_text(4);
  letter.subject = row.column_text(5);
  letter.attempts = static_cast<int32_t>(row.column_int(6));
  letter.last_error = row.column_text(7);
  letter.created_at_ms = row.column_int(8);
  if (!row.column_is_null(9)) letter.redriven_at_ms = row.column_int(9);
  return letter;
}

std::optional<std::string> optional_text(const std::optional<Sku>& id) {
  if (!id) return std::nullopt;
  return id->str();
}

}  // namespace

Status SqliteTx::nested(const std::function<Status()>& work) {
  // A reader cannot write, so it has nothing to roll back.
  if (!writable()) return work();
  OF_RETURN_IF_ERROR(db_.exec("SAVEPOINT n"));
  const int64_t next_seq_mark = *next_seq_;
  const size_t events_mark = events_->size();
  Status status = work();
  if (!status.is_ok()) {
    // Every nested level uses the name "n": SQLite resolves a name to the
    // innermost savepoint that has it, which is this one.
    Status rollback = db_.exec("ROLLBACK TO n");
    if (!rollback.is_ok()) {
      broken_ = rollback;
      return rollback;
    }
    *next_seq_ = next_seq_mark;
    events_->resize(events_mark);
  }
  Status release = db_.exec("RELEASE n");
  if (!release.is_ok()) {
    broken_ = release;
    return release;
  }
  return status;
}

// Catalog.

Result<std::optional<Product>> SqliteTx::get_product(const Sku& id) {
  OF_ASSIGN_OR_RETURN(Statement query, db_.prepare("SELECT " OF_PRODUCT_COLUMNS " FROM products WHERE id = ?1"));
  query.bind_all(id.str());
  return fetch_one<Product>(query, decode_product, "get_product");
}

Status SqliteTx::put_product(const Product& product) {
  if (!writable()) return read_only_error();
  OF_ASSIGN_OR_RETURN(Statement upsert, db_.prepare("INSERT OR REPLACE INTO products (" OF_PRODUCT_COLUMNS
                                                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  upsert.bind_all(product.id.str(), product.name, product.price_minor, product.currency.code(), product.tax_class,
                  product.updated_at_ms);
  return upsert.run("put_product");
}

Result<std::vector<Product>> SqliteTx::list_products(const std::optional<Sku>& after, int limit) {
  OF_RETURN_IF_ERROR(check_limit(limit));
  // Two statements rather than "?1 IS NULL OR id > ?1", which would keep the
  // planner from starting the scan at the cursor.
  OF_ASSIGN_OR_RETURN(
      Statement query,
      after ? db_.prepare("SELECT " OF_PRODUCT_COLUMNS " FROM products WHERE id > ?1 ORDER BY id LIMIT ?2")
            : db_.prepare("SELECT " OF_PRODUCT_COLUMNS " FROM products ORDER BY id LIMIT ?2"));
  query.bind_all(optional_text(after), limit);
  return collect<Product>(query, decode_product, "list_products");
}

// Stock.

Result<std::optional<StockLevel>> SqliteTx::get_stock(const Sku& product_id) {
  OF_ASSIGN_OR_RETURN(Statement query, db_.prepare("SELECT " OF_STOCK_COLUMNS " FROM stock WHERE product_id = ?1"));
  query.bind_all(product_id.str());
  return fetch_one<StockLevel>(query, decode_stock, "get_stock");
}

Status SqliteTx::put_stock(const StockLevel& stock) {
  if (!writable()) return read_only_error();
  // Checked here for a clear message; the table's CHECK constraints are the
  // backstop should anything write around this method.
  if (!stock.valid()) {
    return Status::internal(fmt::format("stock invariant violated for product {}: on_hand={} reserved={} sold={}",
                                        stock.product_id.str(), stock.on_hand, stock.reserved, stock.sold));
  }
  OF_ASSIGN_OR_RETURN(Statement upsert, db_.prepare("INSERT OR REPLACE INTO stock (" OF_STOCK_COLUMNS
                                                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
  upsert.bind_all(stock.product_id.str(), stock.on_hand, stock.reserved, stock.sold, stock.updated_at_ms,
                  stock.low_stock_threshold, stock.low_stock_alerted ? 1 : 0);
  return upsert.run("put_stock");
}

Result<std::vector<StockLevel>> SqliteTx::list_stock(const std::optional<Sku>& after, int limit) {
  OF_RETURN_IF_ERROR(check_limit(limit));
  OF_ASSIGN_OR_RETURN(
      Statement query,
      after ? db_.prepare("SELECT " OF_STOCK_COLUMNS " FROM stock WHERE product_id > ?1 ORDER BY product_id LIMIT ?2")
            : db_.prepare("SELECT " OF_STOCK_COLUMNS " FROM stock ORDER BY product_id LIMIT ?2"));
  query.bind_all(optional_text(after), limit);
  return collect<StockLevel>(query, decode_stock, "list_stock");
}

// Reservations.

Status SqliteTx::put_reservation(const Reservation& reservation) {
  if (!writable()) return read_only_error();
  // Upsert by id only: INSERT OR REPLACE would also delete another
  // reservation of the same order, where a kConflict is wanted.
  OF_ASSIGN_OR_RETURN(Statement upsert,
                      db_.prepare("INSERT INTO reservations (" OF_RESERVATION_COLUMNS
                                  ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id) DO UPDATE SET "
                                  "order_id = excluded.order_id, state = excluded.state, "
                                  "items_json = excluded.items_json, expires_at_ms = excluded.expires_at_ms, "
                                  "created_at_ms = excluded.created_at_ms, updated_at_ms = excluded.updated_at_ms, "
                                  "release_reason = excluded.release_reason"));
  upsert.bind_all(reservation.id.str(), reservation.order_id.str(), core::to_string(reservation.state),
                  codec::encode_reserved_items(reservation.items), reservation.expires_at_ms, reservation.created_at_ms,
                  reservation.updated_at_ms, reservation.release_reason);
  return upsert.run("put_reservation");
}

Result<std::optional<Reservation>> SqliteTx::get_reservation_for_order(const OrderId& order_id) {
  OF_ASSIGN_OR_RETURN(Statement query,
                      db_.prepare("SELECT " OF_RESERVATION_COLUMNS " FROM reservations WHERE order_id = ?1"));
  query.bind_all(order_id.str());
  return fetch_one<Reservation>(query, decode_reservation, "get_reservation_for_order");
}

Result<std::vector<Reservation>> SqliteTx::list_active_reservations(int limit) {
  OF_RETURN_IF_ERROR(check_limit(limit));
  OF_ASSIGN_OR_RETURN(Statement query, db_.prepare("SELECT " OF_RESERVATION_COLUMNS
                                                   " FROM reservations WHERE state = ?1 ORDER BY id LIMIT ?2"));
  query.bind_all(core::to_string(core::ReservationState::kActive), limit);
  return collect<Reservation>(query, decode_reservation, "list_active_reservations");
}

// Orders.

Status SqliteTx::insert_order(const Order& order) {
  if (!writable()) return read_only_error();
  OF_ASSIGN_OR_RETURN(Statement insert,
                      db_.prepare("INSERT INTO orders (" OF_ORDER_COLUMNS
                                  ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
                                  "?17)"));
  insert.bind_all(order.id.str(), order.customer_id.str(), core::to_string(order.status), order.currency.code(),
                  codec::encode_order_lines(order.lines), order.totals.subtotal_minor, order.totals.tax_minor,
                  order.totals.shipping_minor, order.totals.total_minor, codec::encode_address(order.shipping_address),
                  order.payment_token, order.source, order.traceparent, order.refunded_minor, order.created_at_ms,
                  order.updated_at_ms, order.version);
  Status status = insert.run("insert_order");
  if (status.code() == Code::kConflict) return Status::conflict(fmt::format("order {} exists", order.id.str()));
  return status;
}

Status SqliteTx::update_order(const Order& order) {
  if (!writable()) return read_only_error();
  // Only the lifecycle columns: rewriting the priced ones (and the customer
  // index entry with them) on every status change cost page writes for nothing.
  OF_ASSIGN_OR_RETURN(Statement update,
                      db_.prepare("UPDATE orders SET status = ?2, refunded_minor = ?3, updated_at_ms = ?4, version = ?5 "
                                  "WHERE id = ?1"));
  update.bind_all(order.id.str(), core::to_string(order.status), order.refunded_minor, order.updated_at_ms,
                  order.version);
  OF_RETURN_IF_ERROR(update.run("update_order"));
  if (db_.changes() == 0) return Status::not_found(fmt::format("order {} not found", order.id.str()));
  return Status::ok();
}

Result<std::optional<Order>> SqliteTx::get_order(const OrderId& id) {
  OF_ASSIGN_OR_RETURN(Statement query, db_.prepare("SELECT " OF_ORDER_COLUMNS " FROM orders WHERE id = ?1"));
  query.bind_all(id.str());
  return fetch_one<Order>(query, decode_order, "get_order");
}

Result<std::vector<Order>> SqliteTx::list_orders(const OrderFilter& filter) {
  OF_RETURN_IF_ERROR(check_limit(filter.limit));
  // One fixed statement per combination of filters, so each can use its
  // index: ?1 customer, ?2 status, ?3 cursor, ?4 limit. Parameters a variant
  // does not mention are bound anyway (harmless: ?4 fixes the count at 4).
#define OF_LIST_ORDERS(where) "SELECT " OF_ORDER_COLUMNS " FROM orders " where " ORDER BY id DESC LIMIT ?4"
  static constexpr const char* kVariants[8] = {
      OF_LIST_ORDERS(""),
      OF_LIST_ORDERS("WHERE customer_id = ?1"),
      OF_LIST_ORDERS("WHERE status = ?2"),
      OF_LIST_ORDERS("WHERE customer_id = ?1 AND status = ?2"),
      OF_LIST_ORDERS("WHERE id < ?3"),
      OF_LIST_ORDERS("WHERE customer_id = ?1 AND id < ?3"),
      OF_LIST_ORDERS("WHERE status = ?2 AND id < ?3"),
      OF_LIST_ORDERS("WHERE customer_id = ?1 AND status = ?2 AND id < ?3"),
  };
#undef OF_LIST_ORDERS
  const int variant = (filter.customer_id ? 1 : 0) | (filter.status ? 2 : 0) | (filter.before ? 4 : 0);
  OF_ASSIGN_OR_RETURN(Statement query, db_.prepare(kVariants[variant]));
  std::optional<std::string> customer;
  if (filter.customer_id) customer = filter.customer_id->str();
  std::optional<std::string> status;
  if (filter.status) status = std::string(core::to_string(*filter.status));
  std::optional<std::string> before;
  if (filter.before) before = filter.before->str();
  query.bind_all(customer, status, before, filter.limit);
  return collect<Order>(query, decode_order, "list_orders");
}

Status SqliteTx::append_status_change(const OrderId& order_id, const StatusChange& change) {
  if (!writable()) return read_only_error();
  OF_ASSIGN_OR_RETURN(Statement insert,
                      db_.prepare("INSERT INTO order_status_history (order_id, event_seq, from_status, to_status, "
                                  "reason, at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  std::optional<std::string> from;
  if (change.from) from = std::string(core::to_string(*change.from));
  insert.bind_all(order_id.str(), change.event_seq, from, core::to_string(change.to), change.reason, change.at_ms);
  return insert.run("append_status_change");
}

Result<std::vector<StatusChange>> SqliteTx::status_history(const OrderId& order_id) {
  OF_ASSIGN_OR_RETURN(Statement query,
                      db_.prepare("SELECT event_seq, from_status, to_status, reason, at_ms FROM order_status_history "
                                  "WHERE order_id = ?1 ORDER BY id"));
  query.bind_all(order_id.str());
  return collect<StatusChange>(query, decode_status_change, "status_history");
}

// Payments and shipments.

Status SqliteTx::put_payment(const Payment& payment) {
  if (!writable()) return read_only_error();
  OF_ASSIGN_OR_RETURN(Statement upsert,
                      db_.prepare("INSERT INTO payments (" OF_PAYMENT_COLUMNS
                                  ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (id) DO UPDATE "
                                  "SET order_id = excluded.order_id, state = excluded.state, "
                                  "amount_minor = excluded.amount_minor, currency = excluded.currency, "
                                  "idempotency_key = excluded.idempotency_key, "
                                  "gateway_reference = excluded.gateway_reference, "
                                  "failure_reason = excluded.failure_reason, refunded_minor = excluded.refunded_minor, "
                                  "created_at_ms = excluded.created_at_ms, updated_at_ms = excluded.updated_at_ms"));
  upsert.bind_all(payment.id.str(), payment.order_id.str(), core::to_string(payment.state), payment.amount_minor,
                  payment.currency.code(), payment.idempotency_key, payment.gateway_reference, payment.failure_reason,
                  payment.refunded_minor, payment.created_at_ms, payment.updated_at_ms);
  return upsert.run("put_payment");
}

Result<std::optional<Payment>> SqliteTx::get_payment_for_order(const OrderId& order_id) {
  OF_ASSIGN_OR_RETURN(Statement query, db_.prepare("SELECT " OF_PAYMENT_COLUMNS " FROM payments WHERE order_id = ?1"));
  query.bind_all(order_id.str());
  return fetch_one<Payment>(query, decode_payment, "get_payment_for_order");
}

Status SqliteTx::put_shipment(const Shipment& shipment) {
  if (!writable()) return read_only_error();
  OF_ASSIGN_OR_RETURN(
      Statement upsert,
      db_.prepare("INSERT INTO shipments (" OF_SHIPMENT_COLUMNS
                  ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO UPDATE SET "
                  "order_id = excluded.order_id, carrier = excluded.carrier, "
                  "tracking_number = excluded.tracking_number, state = excluded.state, "
                  "shipped_at_ms = excluded.shipped_at_ms, delivered_at_ms = excluded.delivered_at_ms"));
  upsert.bind_all(shipment.id.str(), shipment.order_id.str(), shipment.carrier, shipment.tracking_number,
                  core::to_string(shipment.state), shipment.shipped_at_ms, shipment.delivered_at_ms);
  return upsert.run("put_shipment");
}

Result<std::optional<Shipment>> SqliteTx::get_shipment_for_order(const OrderId& order_id) {
  OF_ASSIGN_OR_RETURN(Statement query,
                      db_.prepare("SELECT " OF_SHIPMENT_COLUMNS " FROM shipments WHERE order_id = ?1"));
  query.bind_all(order_id.str());
  return fetch_one<Shipment>(query, decode_shipment, "get_shipment_for_order");
}

// The event log.

Result<int64_t> SqliteTx::append_event(const Event& event) {
  if (!writable()) return read_only_error();
  OF_ASSIGN_OR_RETURN(Statement insert,
                      db_.prepare("INSERT INTO events (" OF_EVENT_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
  const int64_t seq = *next_seq_;
  insert.bind_all(seq, event.id.str(), event.type, event.source, event.subject, event.time_ms, event.traceparent,
                  event.data_json);
  Status status = insert.run("append_event");
  if (status.code() == Code::kConflict) return Status::conflict(fmt::format("event {} exists", event.id.str()));
  OF_RETURN_IF_ERROR(status);
  // Only a row actually written consumes a seq, so a refused append leaves no gap.
  *next_seq_ = seq + 1;
  Event& appended = events_->emplace_back(event);
  appended.seq = seq;
  return seq;
}

Result<std::vector<Event>> SqliteTx::read_events(int64_t after_seq, int limit) {
  OF_RETURN_IF_ERROR(check_limit(limit));
  OF_ASSIGN_OR_RETURN(Statement query,
                      db_.prepare("SELECT " OF_EVENT_COLUMNS " FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2"));
  query.bind_all(after_seq, limit);
  return collect<Event>(query, decode_event, "read_events");
}

Result<std::vector<Event>> SqliteTx::read_subject_events(const std::string& subject, int64_t after_seq, int limit) {
  OF_RETURN_IF_ERROR(check_limit(limit));
  OF_ASSIGN_OR_RETURN(
      Statement query,
      db_.prepare("SELECT " OF_EVENT_COLUMNS " FROM events WHERE subject = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3"));
  query.bind_all(subject, after_seq, limit);
  return collect<Event>(query, decode_event, "read_subject_events");
}

Result<std::optional<Event>> SqliteTx::get_event(int64_t seq) {
  OF_ASSIGN_OR_RETURN(Statement query, db_.prepare("SELECT " OF_EVENT_COLUMNS " FROM events WHERE seq = ?1"));
  query.bind_all(seq);
  return fetch_one<Event>(query, decode_event, "get_event");
}

Result<int64_t> SqliteTx::last_event_seq() {
  OF_ASSIGN_OR_RETURN(Statement query, db_.prepare("SELECT COALESCE(MAX(seq), 0) FROM events"));
  return fetch_int(query, "last_event_seq");
}

// Subscriptions.

Result<int64_t> SqliteTx::get_checkpoint(const std::string& subscription) {
  OF_ASSIGN_OR_RETURN(Statement query, db_.prepare("SELECT seq FROM subscription_checkpoints WHERE subscription = ?1"));
  query.bind_all(subscription);
  const int rc = query.step();
  if (rc == SQLITE_DONE) return int64_t{0};  // a new subscription starts at the beginning
  if (rc != SQLITE_ROW) return sqlite_error(query.db(), rc, "get_checkpoint");
  return query.column_int(0);
}

Status SqliteTx::set_checkpoint(const std::string& subscription, int64_t seq) {
  if (!writable()) return read_only_error();
  OF_ASSIGN_OR_RETURN(
      Statement upsert,
      db_.prepare("INSERT OR REPLACE INTO subscription_checkpoints (subscription, seq) VALUES (?1, ?2)"));
  upsert.bind_all(subscription, seq);
  return upsert.run("set_checkpoint");
}

Result<bool> SqliteTx::inbox_insert(const std::string& subscription, const EventId& event_id) {
  if (!writable()) return read_only_error();
  OF_ASSIGN_OR_RETURN(Statement insert, db_.prepare("INSERT INTO inbox (subscription, event_id) VALUES (?1, ?2) "
                                                    "ON CONFLICT DO NOTHING"));
  insert.bind_all(subscription, event_id.str());
  OF_RETURN_IF_ERROR(insert.run("inbox_insert"));
  return db_.changes() == 1;
}

Status SqliteTx::put_pending_delivery(const PendingDelivery& delivery) {
  if (!writable()) return read_only_error();
  OF_ASSIGN_OR_RETURN(Statement upsert, db_.prepare("INSERT OR REPLACE INTO pending_deliveries (" OF_PENDING_COLUMNS
                                                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  upsert.bind_all(delivery.subscription, delivery.event_seq, delivery.subject, delivery.attempts,
                  delivery.next_attempt_at_ms, delivery.last_error);
  return upsert.run("put_pending_delivery");
}

Status SqliteTx::delete_pending_delivery(const std::string& subscription, int64_t event_seq) {
  if (!writable()) return read_only_error();
  OF_ASSIGN_OR_RETURN(Statement erase,
                      db_.prepare("DELETE FROM pending_deliveries WHERE subscription = ?1 AND event_seq = ?2"));
  erase.bind_all(subscription, event_seq);
  return erase.run("delete_pending_delivery");
}

Result<bool> SqliteTx::has_pending_delivery(const std::string& subscription, const std::string& subject) {
  OF_ASSIGN_OR_RETURN(Statement query,
                      db_.prepare("SELECT EXISTS (SELECT 1 FROM pending_deliveries WHERE subscription = ?1 AND "
                                  "subject = ?2)"));
  query.bind_all(subscription, subject);
  OF_ASSIGN_OR_RETURN(int64_t exists, fetch_int(query, "has_pending_delivery"));
  return exists != 0;
}

Result<std::vector<PendingDelivery>> SqliteTx::due_pending_deliveries(const std::string& subscription, TimeMs now_ms,
                                                                      int limit) {
  OF_RETURN_IF_ERROR(check_limit(limit));
  // A due row counts only if it heads its subject's queue: later events of a
  // subject wait behind the one being retried, whatever their own time.
  OF_ASSIGN_OR_RETURN(Statement query,
                      db_.prepare("SELECT " OF_PENDING_COLUMNS " FROM pending_deliveries AS p "
                                  "WHERE p.subscription = ?1 AND p.next_attempt_at_ms <= ?2 AND p.event_seq = "
                                  "(SELECT MIN(q.event_seq) FROM pending_deliveries AS q "
                                  "WHERE q.subscription = ?1 AND q.subject = p.subject) "
                                  "ORDER BY p.event_seq LIMIT ?3"));
  query.bind_all(subscription, now_ms, limit);
  return collect<PendingDelivery>(query, decode_pending, "due_pending_deliveries");
}

Result<std::optional<TimeMs>> SqliteTx::next_pending_delivery_at(const std::string& subscription) {
  OF_ASSIGN_OR_RETURN(Statement query, db_.prepare("SELECT MIN(next_attempt_at_ms) FROM pending_deliveries "
                                                   "WHERE subscription = ?1"));
  query.bind_all(subscription);
  return fetch_optional_int(query, "next_pending_delivery_at");
}

Result<int64_t> SqliteTx::count_pending_deliveries() {
  OF_ASSIGN_OR_RETURN(Statement query, db_.prepare("SELECT COUNT(*) FROM pending_deliveries"));
  return fetch_int(query, "count_pending_deliveries");
}

// Jobs.

Status SqliteTx::put_job(const Job& job) {
  if (!writable()) return read_only_error();
  // An upsert, not INSERT OR REPLACE: replacing deletes and reinserts the row
  // and every index entry; an update touches only the indexes of the columns
  // it sets. kind, subject, payload and created_at never change after insert.
  OF_ASSIGN_OR_RETURN(Statement upsert,
                      db_.prepare("INSERT INTO jobs (" OF_JOB_COLUMNS
                                  ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (id) DO UPDATE SET "
                                  "state = excluded.state, attempts = excluded.attempts, "
                                  "next_attempt_at_ms = excluded.next_attempt_at_ms, last_error = excluded.last_error, "
                                  "result_json = excluded.result_json, updated_at_ms = excluded.updated_at_ms"));
  upsert.bind_all(job.id.str(), job.kind, job.subject, job.payload_json, core::to_string(job.state), job.attempts,
                  job.next_attempt_at_ms, job.last_error, job.result_json, job.created_at_ms, job.updated_at_ms);
  return upsert.run("put_job");
}

Result<std::optional<Job>> SqliteTx::get_job(const JobId& id) {
  OF_ASSIGN_OR_RETURN(Statement query, db_.prepare("SELECT " OF_JOB_COLUMNS " FROM jobs WHERE id = ?1"));
  query.bind_all(id.str());
  return fetch_one<Job>(query, decode_job, "get_job");
}

// The literal condition of the partial index jobs_active_by_time (migration 2):
// SQLite uses a partial index only when the query repeats its condition, which
// bound parameters cannot do.
#define OF_JOB_ACTIVE "state IN ('QUEUED', 'RUNNING')"

Result<std::vector<Job>> SqliteTx::due_jobs(TimeMs now_ms, int limit) {
  OF_RETURN_IF_ERROR(check_limit(limit));
  OF_ASSIGN_OR_RETURN(Statement query,
                      db_.prepare("SELECT " OF_JOB_COLUMNS " FROM jobs WHERE " OF_JOB_ACTIVE
                                  " AND next_attempt_at_ms <= ?1 ORDER BY next_attempt_at_ms, id LIMIT ?2"));
  query.bind_all(now_ms, limit);
  return collect<Job>(query, decode_job, "due_jobs");
}

Result<std::optional<TimeMs>> SqliteTx::next_job_at() {
  OF_ASSIGN_OR_RETURN(Statement query, db_.prepare("SELECT MIN(next_attempt_at_ms) FROM jobs WHERE " OF_JOB_ACTIVE));
  return fetch_optional_int(query, "next_job_at");
}

Result<std::vector<Job>> SqliteTx::jobs_for_subject(const std::string& subject) {
  OF_ASSIGN_OR_RETURN(Statement query,
                      db_.prepare("SELECT " OF_JOB_COLUMNS " FROM jobs WHERE subject = ?1 ORDER BY created_at_ms, id"));
  query.bind_all(subject);
  return collect<Job>(query, decode_job, "jobs_for_subject");
}

Result<int64_t> SqliteTx::count_jobs(core::JobState state) {
  OF_ASSIGN_OR_RETURN(Statement query, db_.prepare("SELECT COUNT(*) FROM jobs WHERE state = ?1"));
  query.bind_all(core::to_string(state));
  return fetch_int(query, "count_jobs");
}

Result<std::vector<Job>> SqliteTx::jobs_in_state(core::JobState state, int limit) {
  OF_RETURN_IF_ERROR(check_limit(limit));
  OF_ASSIGN_OR_RETURN(Statement query, db_.prepare("SELECT " OF_JOB_COLUMNS " FROM jobs WHERE state = ?1 "
                                                   "ORDER BY next_attempt_at_ms LIMIT ?2"));
  query.bind_all(core::to_string(state), limit);
  return collect<Job>(query, decode_job, "jobs_in_state");
}

Result<int64_t> SqliteTx::prune_finished(TimeMs jobs_done_before_ms, const EventId& inbox_before, int limit) {
  if (!writable()) return read_only_error();
  OF_RETURN_IF_ERROR(check_limit(limit));
  int64_t deleted = 0;
  OF_ASSIGN_OR_RETURN(Statement jobs, db_.prepare("DELETE FROM jobs WHERE rowid IN (SELECT rowid FROM jobs WHERE "
                                                  "state = 'DONE' AND updated_at_ms < ?1 LIMIT ?2)"));
  jobs.bind_all(jobs_done_before_ms, limit);
  OF_RETURN_IF_ERROR(jobs.run("prune_finished jobs"));
  deleted += db_.changes();
  std::vector<std::string> subscriptions;
  {
    OF_ASSIGN_OR_RETURN(Statement names, db_.prepare("SELECT DISTINCT subscription FROM inbox"));
    while (true) {
      int rc = names.step();
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return sqlite_error(names.db(), rc, "prune_finished subscriptions");
      subscriptions.push_back(names.column_text(0));
    }
  }
  for (const auto& subscription : subscriptions) {
    OF_ASSIGN_OR_RETURN(Statement inbox,
                        db_.prepare("DELETE FROM inbox WHERE subscription = ?1 AND event_id IN (SELECT event_id FROM "
                                    "inbox WHERE subscription = ?1 AND event_id < ?2 ORDER BY event_id LIMIT ?3)"));
    inbox.bind_all(subscription, inbox_before.str(), limit);
    OF_RETURN_IF_ERROR(inbox.run("prune_finished inbox"));
    deleted += db_.changes();
  }
  return deleted;
}

// Idempotency keys.

#define OF_IDEMPOTENCY_COLUMNS "key, request_hash, status, body, location, created_at_ms"
Result<IdempotencyRecord> decode_idempotency(const Statement& row) {
  IdempotencyRecord record;
  record.key = row.column_text(0);
  record.request_hash = row.column_text(1);
  record.status = static_cast<int>(row.column_int(2));
  record.body = row.column_text(3);
  record.location = row.column_text(4);
  record.created_at_ms = row.column_int(5);
  return record;
}

Result<std::optional<IdempotencyRecord>> SqliteTx::get_idempotent(const std::string& key) {
  OF_ASSIGN_OR_RETURN(Statement query,
                      db_.prepare("SELECT " OF_IDEMPOTENCY_COLUMNS " FROM idempotency_keys WHERE key = ?1"));
  query.bind_all(key);
  return fetch_one<IdempotencyRecord>(query, decode_idempotency, "get_idempotent");
}

Status SqliteTx::put_idempotent(const IdempotencyRecord& record) {
  if (!writable()) return read_only_error();
  OF_ASSIGN_OR_RETURN(Statement upsert, db_.prepare("INSERT OR REPLACE INTO idempotency_keys (" OF_IDEMPOTENCY_COLUMNS
                                                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  upsert.bind_all(record.key, record.request_hash, static_cast<int64_t>(record.status), record.body, record.location,
                  record.created_at_ms);
  return upsert.run("put_idempotent");
}

Result<int64_t> SqliteTx::prune_idempotent(TimeMs created_before_ms, int limit) {
  if (!writable()) return read_only_error();
  OF_RETURN_IF_ERROR(check_limit(limit));
  OF_ASSIGN_OR_RETURN(Statement prune,
                      db_.prepare("DELETE FROM idempotency_keys WHERE key IN (SELECT key FROM idempotency_keys "
                                  "WHERE created_at_ms < ?1 ORDER BY created_at_ms LIMIT ?2)"));
  prune.bind_all(created_before_ms, limit);
  OF_RETURN_IF_ERROR(prune.run("prune_idempotent"));
  return static_cast<int64_t>(db_.changes());
}

// Dead letters.

Result<int64_t> SqliteTx::insert_dead_letter(const DeadLetter& dead_letter) {
  if (!writable()) return read_only_error();
  OF_ASSIGN_OR_RETURN(Statement insert,
                      db_.prepare("INSERT INTO dead_letters (kind, consumer, event_seq, reference, subject, attempts, "
                                  "last_error, created_at_ms, redriven_at_ms) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
  insert.bind_all(core::to_string(dead_letter.kind), dead_letter.consumer, dead_letter.event_seq, dead_letter.reference,
                  dead_letter.subject, dead_letter.attempts, dead_letter.last_error, dead_letter.created_at_ms,
                  dead_letter.redriven_at_ms);
  OF_RETURN_IF_ERROR(insert.run("insert_dead_letter"));
  return db_.last_insert_rowid();
}

Status SqliteTx::put_dead_letter(const DeadLetter& dead_letter) {
  if (!writable()) return read_only_error();
  OF_ASSIGN_OR_RETURN(Statement update,
                      db_.prepare("UPDATE dead_letters SET kind = ?2, consumer = ?3, event_seq = ?4, reference = ?5, "
                                  "subject = ?6, attempts = ?7, last_error = ?8, created_at_ms = ?9, "
                                  "redriven_at_ms = ?10 WHERE id = ?1"));
  update.bind_all(dead_letter.id, core::to_string(dead_letter.kind), dead_letter.consumer, dead_letter.event_seq,
                  dead_letter.reference, dead_letter.subject, dead_letter.attempts, dead_letter.last_error,
                  dead_letter.created_at_ms, dead_letter.redriven_at_ms);
  OF_RETURN_IF_ERROR(update.run("put_dead_letter"));
  if (db_.changes() == 0) return Status::not_found(fmt::format("dead letter {} not found", dead_letter.id));
  return Status::ok();
}

Result<std::optional<DeadLetter>> SqliteTx::get_dead_letter(int64_t id) {
  OF_ASSIGN_OR_RETURN(Statement query,
                      db_.prepare("SELECT " OF_DEAD_LETTER_COLUMNS " FROM dead_letters WHERE id = ?1"));
  query.bind_all(id);
  return fetch_one<DeadLetter>(query, decode_dead_letter, "get_dead_letter");
}

Result<std::vector<DeadLetter>> SqliteTx::list_dead_letters(bool include_redriven, int64_t after_id, int limit) {
  OF_RETURN_IF_ERROR(check_limit(limit));
  OF_ASSIGN_OR_RETURN(
      Statement query,
      include_redriven
          ? db_.prepare("SELECT " OF_DEAD_LETTER_COLUMNS " FROM dead_letters WHERE id > ?1 ORDER BY id LIMIT ?2")
          : db_.prepare("SELECT " OF_DEAD_LETTER_COLUMNS " FROM dead_letters WHERE id > ?1 AND redriven_at_ms IS NULL "
                        "ORDER BY id LIMIT ?2"));
  query.bind_all(after_id, limit);
  return collect<DeadLetter>(query, decode_dead_letter, "list_dead_letters");
}

}  // namespace of::store::sqlite
