// SqliteTx: Tx over one SQLite connection, inside a transaction its owner
// opened (the writer's batch, or a reader's BEGIN DEFERRED).
//
// A writer Tx assigns event seqs from the writer's in-memory counter and
// records the events the current unit appended, so the writer can hand them
// to commit listeners, and rewind both when a savepoint rolls back. A reader
// Tx refuses every write. Used by one thread, for one transaction.
#pragma once

#include <cstdint>
#include <vector>

#include "store/sqlite/connection.h"
#include "store/store.h"

namespace of::store::sqlite {

class SqliteTx final : public Tx {
 public:
  // Read-only: every write method returns kInternal.
  explicit SqliteTx(Connection& db) : db_(db) {}
  // Writable: `next_seq` is the seq the next appended event gets; appended
  // events are pushed onto `events`.
  SqliteTx(Connection& db, int64_t& next_seq, std::vector<Event>& events)
      : db_(db), next_seq_(&next_seq), events_(&events) {}

  // Non-ok when a savepoint could not be rolled back: the transaction then
  // holds writes nobody wants, and the writer must abandon the whole batch.
  const Status& broken() const { return broken_; }

  Status nested(const std::function<Status()>& work) override;

  Result<std::optional<Product>> get_product(const Sku& id) override;
  Status put_product(const Product& product) override;
  Result<std::vector<Product>> list_products(const std::optional<Sku>& after, int limit) override;

  Result<std::optional<StockLevel>> get_stock(const Sku& product_id) override;
  Status put_stock(const StockLevel& stock) override;
  Result<std::vector<StockLevel>> list_stock(const std::optional<Sku>& after, int limit) override;

  Status put_reservation(const Reservation& reservation) override;
  Result<std::optional<Reservation>> get_reservation_for_order(const OrderId& order_id) override;
  Result<std::vector<Reservation>> list_active_reservations(int limit) override;

  Status insert_order(const Order& order) override;
  Status update_order(const Order& order) override;
  Result<std::optional<Order>> get_order(const OrderId& id) override;
  Result<std::vector<Order>> list_orders(const OrderFilter& filter) override;
  Status append_status_change(const OrderId& order_id, const StatusChange& change) override;
  Result<std::vector<StatusChange>> status_history(const OrderId& order_id) override;

  Status put_payment(const Payment& payment) override;
  Result<std::optional<Payment>> get_payment_for_order(const OrderId& order_id) override;
  Status put_shipment(const Shipment& shipment) override;
  Result<std::optional<Shipment>> get_shipment_for_order(const OrderId& order_id) override;

  Result<int64_t> append_event(const Event& event) override;
  Result<std::vector<Event>> read_events(int64_t after_seq, int limit) override;
  Result<std::vector<Event>> read_subject_events(const std::string& subject, int64_t after_seq, int limit) override;
  Result<std::optional<Event>> get_event(int64_t seq) override;
  Result<int64_t> last_event_seq() override;

  Result<int64_t> get_checkpoint(const std::string& subscription) override;
  Status set_checkpoint(const std::string& subscription, int64_t seq) override;
  Result<bool> inbox_insert(const std::string& subscription, const EventId& event_id) override;
  Status put_pending_delivery(const PendingDelivery& delivery) override;
  Status delete_pending_delivery(const std::string& subscription, int64_t event_seq) override;
  Result<bool> has_pending_delivery(const std::string& subscription, const std::string& subject) override;
  Result<std::vector<PendingDelivery>> due_pending_deliveries(const std::string& subscription, TimeMs now_ms,
                                                              int limit) override;
  Result<std::optional<TimeMs>> next_pending_delivery_at(const std::string& subscription) override;
  Result<int64_t> count_pending_deliveries() override;

  Status put_job(const Job& job) override;
  Result<std::optional<Job>> get_job(const JobId& id) override;
  Result<std::vector<Job>> due_jobs(TimeMs now_ms, int limit) override;
  Result<std::optional<TimeMs>> next_job_at() override;
  Result<std::vector<Job>> jobs_for_subject(const std::string& subject) override;
  Result<int64_t> count_jobs(core::JobState state) override;
  Result<std::vector<Job>> jobs_in_state(core::JobState state, int limit) override;
  Result<int64_t> prune_finished(TimeMs jobs_done_before_ms, const EventId& inbox_before, int limit) override;

  Result<std::optional<IdempotencyRecord>> get_idempotent(const std::string& key) override;
  Status put_idempotent(const IdempotencyRecord& record) override;
  Result<int64_t> prune_idempotent(TimeMs created_before_ms, int limit) override;

  Result<int64_t> insert_dead_letter(const DeadLetter& dead_letter) override;
  Status put_dead_letter(const DeadLetter& dead_letter) override;
  Result<std::optional<DeadLetter>> get_dead_letter(int64_t id) override;
  Result<std::vector<DeadLetter>> list_dead_letters(bool include_redriven, int64_t after_id, int limit) override;

 private:
  bool writable() const { return next_seq_ != nullptr; }

  Connection& db_;
  int64_t* next_seq_ = nullptr;
  std::vector<Event>* events_ = nullptr;
  Status broken_;
};

}  // namespace of::store::sqlite
