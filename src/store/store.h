// Store: the port to orderflow's only source of truth.
//
// All writes go through Store::submit(): the unit of work runs on the store's
// single writer thread inside a batch; many units share one durable commit
// (group commit), each inside its own savepoint so one failing unit rolls back
// alone. A unit's `done` callback runs after its batch is durable (or with the
// unit's error), on the writer thread: it must be quick and must not block.
// Reads that need no write go through Store::read() on the caller's thread, on
// a consistent snapshot that may lag the writer by the batch in flight.
//
// The transactional outbox is Tx::append_event(): an event row written in the
// same transaction as the state change it announces. Adapters: sqlite/ (the
// embedded shape), memory/ (fast unit tests); postgres/ comes later. One
// contract suite (tests/contract/store_contract_test.cc) runs on each.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "core/model.h"

namespace of::store {

using core::DeadLetter;
using core::Event;
using core::Job;
using core::Order;
using core::Payment;
using core::PendingDelivery;
using core::Product;
using core::Reservation;
using core::Shipment;
using core::StatusChange;
using core::StockLevel;

// Bounds on what one call may return.
inline constexpr int kListLimitMax = 1000;

// The first answer to a request sent with an Idempotency-Key (written by the
// unit that did the work, in the same transaction), replayed to every retry
// with the same key and request until it is pruned.
struct IdempotencyRecord {
  std::string key;           // 1..kIdempotencyKeyLengthMax printable ASCII
  std::string request_hash;  // digest of method, path and body of the first request
  int status = 0;            // a 2xx: failed requests are not stored, so they can be retried
  std::string body;
  std::string location;  // the Location header of a 201; empty when none
  TimeMs created_at_ms = 0;
};
inline constexpr size_t kIdempotencyKeyLengthMax = 255;

struct OrderFilter {
  std::optional<CustomerId> customer_id;
  std::optional<core::OrderStatus> status;
  // Keyset cursor: only orders with id < before (ids are UUIDv7, so newest first).
  std::optional<OrderId> before;
  int limit = 50;  // 1..kListLimitMax
};

// One transaction. Reads see the transaction's own writes. Methods return
// kInternal on a storage failure; write methods inside Store::read() return
// kInternal too. Upserts ("put") insert or replace by primary key.
class Tx {
 public:
  virtual ~Tx() = default;

  // Runs `work` in a nested savepoint: if it returns an error, every write and
  // event it made is rolled back and the error returned; the enclosing unit
  // goes on. Nests to any depth. (The bus runs each event's handler this way.)
  virtual Status nested(const std::function<Status()>& work) = 0;

  // Catalog.
  virtual Result<std::optional<Product>> get_product(const Sku& id) = 0;
  virtual Status put_product(const Product& product) = 0;
  // Ordered by id; only ids > after when given.
  virtual Result<std::vector<Product>> list_products(const std::optional<Sku>& after, int limit) = 0;

  // Stock. put_stock refuses (kInternal, naming the product) a row that breaks
  // 0 <= reserved <= on_hand or sold >= 0: the invariant is enforced on write.
  virtual Result<std::optional<StockLevel>> get_stock(const Sku& product_id) = 0;
  virtual Status put_stock(const StockLevel& stock) = 0;
  virtual Result<std::vector<StockLevel>> list_stock(const std::optional<Sku>& after, int limit) = 0;

  // Reservations (one per order).
  virtual Status put_reservation(const Reservation& reservation) = 0;
  virtual Result<std::optional<Reservation>> get_reservation_for_order(const OrderId& order_id) = 0;
  // Active reservations, for reconciliation and tests.
  virtual Result<std::vector<Reservation>> list_active_reservations(int limit) = 0;

  // Orders. insert_order: kConflict if the id exists. update_order: kNotFound
  // if absent; it persists the lifecycle fields only (status, refunded_minor,
  // updated_at_ms, version): what was priced at creation never changes.
  virtual Status insert_order(const Order& order) = 0;
  virtual Status update_order(const Order& order) = 0;
  virtual Result<std::optional<Order>> get_order(const OrderId& id) = 0;
  // Newest first (id descending), filtered.
  virtual Result<std::vector<Order>> list_orders(const OrderFilter& filter) = 0;
  virtual Status append_status_change(const OrderId& order_id, const StatusChange& change) = 0;
  // Oldest first.
  virtual Result<std::vector<StatusChange>> status_history(const OrderId& order_id) = 0;

  // Payments (one per order) and shipments (one per order).
  virtual Status put_payment(const Payment& payment) = 0;
  virtual Result<std::optional<Payment>> get_payment_for_order(const OrderId& order_id) = 0;
  virtual Status put_shipment(const Shipment& shipment) = 0;
  virtual Result<std::optional<Shipment>> get_shipment_for_order(const OrderId& order_id) = 0;

  // The event log (outbox). append_event assigns and returns the next seq
  // (1, 2, 3, ... with no gaps among committed events in the sqlite adapter);
  // event.seq is ignored on input. kConflict if the event id exists.
  virtual Result<int64_t> append_event(const Event& event) = 0;
  // Events with seq > after_seq, ascending, at most limit.
  virtual Result<std::vector<Event>> read_events(int64_t after_seq, int limit) = 0;
  virtual Result<std::vector<Event>> read_subject_events(const std::string& subject, int64_t after_seq,
                                                         int limit) = 0;
  virtual Result<std::optional<Event>> get_event(int64_t seq) = 0;
  virtual Result<int64_t> last_event_seq() = 0;  // 0 when empty

  // Subscriptions: checkpoint (last seq handled; 0 when new), inbox of seen
  // event ids (inbox_insert returns false when the id was already there), and
  // the retry queue of pending deliveries.
  virtual Result<int64_t> get_checkpoint(const std::string& subscription) = 0;
  virtual Status set_checkpoint(const std::string& subscription, int64_t seq) = 0;
  virtual Result<bool> inbox_insert(const std::string& subscription, const EventId& event_id) = 0;
  virtual Status put_pending_delivery(const PendingDelivery& delivery) = 0;  // by (subscription, event_seq)
  virtual Status delete_pending_delivery(const std::string& subscription, int64_t event_seq) = 0;
  virtual Result<bool> has_pending_delivery(const std::string& subscription, const std::string& subject) = 0;
  // For each subject of the subscription, its lowest-seq pending delivery, if
  // that one is due (next_attempt_at_ms <= now_ms); ascending by event_seq.
  virtual Result<std::vector<PendingDelivery>> due_pending_deliveries(const std::string& subscription,
                                                                      TimeMs now_ms, int limit) = 0;
  // Earliest next_attempt_at_ms among the subscription's pending deliveries.
  virtual Result<std::optional<TimeMs>> next_pending_delivery_at(const std::string& subscription) = 0;
  virtual Result<int64_t> count_pending_deliveries() = 0;

  // Jobs. put_job on an existing id updates its run state (state, attempts,
  // next_attempt_at_ms, last_error, result_json, updated_at_ms); kind,
  // subject, payload and created_at are fixed at insert. due_jobs: state queued or running with next_attempt_at_ms <= now_ms
  // (a running job past its lease is due again), ascending by next_attempt_at_ms.
  virtual Status put_job(const Job& job) = 0;
  virtual Result<std::optional<Job>> get_job(const JobId& id) = 0;
  virtual Result<std::vector<Job>> due_jobs(TimeMs now_ms, int limit) = 0;
  virtual Result<std::optional<TimeMs>> next_job_at() = 0;  // earliest among queued and running
  virtual Result<std::vector<Job>> jobs_for_subject(const std::string& subject) = 0;
  virtual Result<int64_t> count_jobs(core::JobState state) = 0;
  // Jobs in one state, ascending by next_attempt_at_ms, at most limit.
  virtual Result<std::vector<Job>> jobs_in_state(core::JobState state, int limit) = 0;

  // Retention: deletes up to `limit` done jobs last updated before
  // jobs_done_before_ms, and, per subscription, up to `limit` inbox entries
  // whose event id sorts before inbox_before (event ids are UUIDv7, so that
  // is "older than"). Dead jobs stay (dead letters refer to them); the event
  // log stays (it is the audit trail). Returns the number of rows deleted.
  virtual Result<int64_t> prune_finished(TimeMs jobs_done_before_ms, const EventId& inbox_before, int limit) = 0;

  // Idempotency keys. put_idempotent inserts or replaces by key; get returns
  // a record whatever its age (callers apply their TTL); prune deletes up to
  // `limit` records created before created_before_ms and returns how many.
  virtual Result<std::optional<IdempotencyRecord>> get_idempotent(const std::string& key) = 0;
  virtual Status put_idempotent(const IdempotencyRecord& record) = 0;
  virtual Result<int64_t> prune_idempotent(TimeMs created_before_ms, int limit) = 0;

  // Dead letters. insert assigns and returns the id (event.id ignored);
  // list is ascending by id, after_id exclusive.
  virtual Result<int64_t> insert_dead_letter(const DeadLetter& dead_letter) = 0;
  virtual Status put_dead_letter(const DeadLetter& dead_letter) = 0;  // update by id
  virtual Result<std::optional<DeadLetter>> get_dead_letter(int64_t id) = 0;
  virtual Result<std::vector<DeadLetter>> list_dead_letters(bool include_redriven, int64_t after_id,
                                                            int limit) = 0;
};

using Work = std::function<Status(Tx&)>;
using Done = std::function<void(const Status&)>;

// What one durable commit contained; handed to commit listeners.
struct CommitInfo {
  std::vector<Event> events;  // appended by the committed units, ascending seq
  int units = 0;
};
using CommitListener = std::function<void(const CommitInfo&)>;

struct StoreStats {
  int64_t commits = 0;
  int64_t units = 0;
  int64_t units_failed = 0;
  int64_t last_batch_units = 0;
  int64_t max_batch_units = 0;
  int64_t commit_us_total = 0;  // time spent in COMMIT (fsync included)
};

class Store {
 public:
  virtual ~Store() = default;

  // Opens (creating and migrating as needed) and starts the writer thread.
  virtual Status start() = 0;
  // Finishes queued units, commits, stops the writer. Idempotent.
  virtual void stop() = 0;

  // Queues a unit of work. kLimitExceeded through `done` (without running the
  // unit) when the queue is full; kUnavailable after stop().
  virtual void submit(Work work, Done done) = 0;

  // Runs a read-only function on a consistent snapshot, on the caller's thread.
  virtual Status read(const std::function<Status(Tx&)>& reader) = 0;

  // Called on the writer thread after each durable commit. Add before start().
  virtual void add_commit_listener(CommitListener listener) = 0;

  virtual StoreStats stats() const = 0;

  // Convenience for tools and tests: submit and wait.
  Status write(Work work);
};

}  // namespace of::store
