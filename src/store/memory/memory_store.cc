#include "store/memory/memory_store.h"

#include <algorithm>
#include <cstdint>
#include <exception>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>

namespace of::store {

struct MemoryStore::Tables {
  std::map<Sku, Product> products;
  std::map<Sku, StockLevel> stock;
  std::map<ReservationId, Reservation> reservations;
  std::map<OrderId, ReservationId> reservation_by_order;
  std::map<OrderId, Order> orders;
  std::map<OrderId, std::vector<StatusChange>> status_history;
  std::map<PaymentId, Payment> payments;
  std::map<OrderId, PaymentId> payment_by_order;
  std::map<ShipmentId, Shipment> shipments;
  std::map<OrderId, ShipmentId> shipment_by_order;
  std::map<int64_t, Event> events;
  std::map<EventId, int64_t> event_by_id;
  std::map<std::string, int64_t> checkpoints;
  std::set<std::pair<std::string, EventId>> inbox;
  std::map<std::pair<std::string, int64_t>, PendingDelivery> pending;
  std::map<JobId, Job> jobs;
  std::map<int64_t, DeadLetter> dead_letters;
  std::map<std::string, IdempotencyRecord> idempotency;
  int64_t next_seq = 1;
  int64_t next_dead_letter_id = 1;
};

namespace {

using Tables = MemoryStore::Tables;
// Closures that put the tables back, newest last. A savepoint is a length.
using UndoLog = std::vector<std::function<void()>>;

Status read_only_error() { return Status::internal("read-only transaction"); }

Status check_limit(int limit) {
  if (limit < 1 || limit > kListLimitMax) {
    return Status::invalid("limit must be 1.." + std::to_string(kListLimitMax) + ", got " + std::to_string(limit),
                           "limit");
  }
  return Status::ok();
}

bool is_job_pending(core::JobState state) {
  return state == core::JobState::kQueued || state == core::JobState::kRunning;
}

class MemoryTx final : public Tx {
 public:
  // Read-only when `undo` is null.
  MemoryTx(Tables& tables, UndoLog* undo, std::vector<Event>* events) : t_(tables), undo_(undo), events_(events) {}

  struct Mark {
    size_t undo = 0;
    size_t events = 0;
  };
  Mark mark() const { return {undo_->size(), events_->size()}; }
  void rollback_to(const Mark& mark) {
    while (undo_->size() > mark.undo) {
      undo_->back()();
      undo_->pop_back();
    }
    events_->resize(mark.events);
  }

  Status nested(const std::function<Status()>& work) override {
    if (!writable()) return work();
    const Mark start = mark();
    Status status = work();
    if (!status.is_ok()) rollback_to(start);
    return status;
  }

  // Catalog.

  Result<std::optional<Product>> get_product(const Sku& id) override { return find(t_.products, id); }

  Status put_product(const Product& product) override {
    if (!writable()) return read_only_error();
    put(t_.products, product.id, product);
    return Status::ok();
  }

  Result<std::vector<Product>> list_products(const std::optional<Sku>& after, int limit) override {
    return list_after(t_.products, after, limit);
  }

  // Stock.

  Result<std::optional<StockLevel>> get_stock(const Sku& product_id) override { return find(t_.stock, product_id); }

  Status put_stock(const StockLevel& stock) override {
    if (!writable()) return read_only_error();
    if (!stock.valid()) {
      return Status::internal("stock invariant violated for product " + stock.product_id.str() +
                              ": on_hand=" + std::to_string(stock.on_hand) +
                              " reserved=" + std::to_string(stock.reserved) + " sold=" + std::to_string(stock.sold));
    }
    put(t_.stock, stock.product_id, stock);
    return Status::ok();
  }

  Result<std::vector<StockLevel>> list_stock(const std::optional<Sku>& after, int limit) override {
    return list_after(t_.stock, after, limit);
  }

  // Reservations.

  Status put_reservation(const Reservation& reservation) override {
    if (!writable()) return read_only_error();
    return put_one_per_order(t_.reservations, t_.reservation_by_order, reservation, "reservation");
  }

  Result<std::optional<Reservation>> get_reservation_for_order(const OrderId& order_id) override {
    return find_by_order(t_.reservations, t_.reservation_by_order, order_id);
  }

  Result<std::vector<Reservation>> list_active_reservations(int limit) override {
    OF_RETURN_IF_ERROR(check_limit(limit));
    std::vector<Reservation> out;
    for (const auto& [id, reservation] : t_.reservations) {
      if (static_cast<int>(out.size()) >= limit) break;
      if (reservation.state == core::ReservationState::kActive) out.push_back(reservation);
    }
    return out;
  }

  // Orders.

  Status insert_order(const Order& order) override {
    if (!writable()) return read_only_error();
    if (t_.orders.count(order.id) != 0) return Status::conflict("order " + order.id.str() + " exists");
    put(t_.orders, order.id, order);
    return Status::ok();
  }

  Status update_order(const Order& order) override {
    if (!writable()) return read_only_error();
    auto existing = t_.orders.find(order.id);
    if (existing == t_.orders.end()) return Status::not_found("order " + order.id.str() + " not found");
    Order updated = existing->second;  // what was priced at creation stays
    updated.status = order.status;
    updated.refunded_minor = order.refunded_minor;
    updated.updated_at_ms = order.updated_at_ms;
    updated.version = order.version;
    put(t_.orders, order.id, updated);
    return Status::ok();
  }

  Result<std::optional<Order>> get_order(const OrderId& id) override { return find(t_.orders, id); }

  Result<std::vector<Order>> list_orders(const OrderFilter& filter) override {
    OF_RETURN_IF_ERROR(check_limit(filter.limit));
    std::vector<Order> out;
    auto end = filter.before ? t_.orders.lower_bound(*filter.before) : t_.orders.end();
    for (auto it = std::make_reverse_iterator(end); it != t_.orders.rend(); ++it) {
      if (static_cast<int>(out.size()) >= filter.limit) break;
      const Order& order = it->second;
      if (filter.customer_id && order.customer_id != *filter.customer_id) continue;
      if (filter.status && order.status != *filter.status) continue;
      out.push_back(order);
    }
    return out;
  }

  Status append_status_change(const OrderId& order_id, const StatusChange& change) override {
    if (!writable()) return read_only_error();
    auto& history = t_.status_history;
    history[order_id].push_back(change);
    undo_->push_back([&history, order_id] {
      auto& changes = history[order_id];
      changes.pop_back();
      if (changes.empty()) history.erase(order_id);
    });
    return Status::ok();
  }

  Result<std::vector<StatusChange>> status_history(const OrderId& order_id) override {
    auto it = t_.status_history.find(order_id);
    if (it == t_.status_history.end()) return std::vector<StatusChange>();
    return it->second;
  }

  // Payments and shipments.

  Status put_payment(const Payment& payment) override {
    if (!writable()) return read_only_error();
    return put_one_per_order(t_.payments, t_.payment_by_order, payment, "payment");
  }

  Result<std::optional<Payment>> get_payment_for_order(const OrderId& order_id) override {
    return find_by_order(t_.payments, t_.payment_by_order, order_id);
  }

  Status put_shipment(const Shipment& shipment) override {
    if (!writable()) return read_only_error();
    return put_one_per_order(t_.shipments, t_.shipment_by_order, shipment, "shipment");
  }

  Result<std::optional<Shipment>> get_shipment_for_order(const OrderId& order_id) override {
    return find_by_order(t_.shipments, t_.shipment_by_order, order_id);
  }

  // The event log.

  Result<int64_t> append_event(const Event& event) override {
    if (!writable()) return read_only_error();
    if (t_.event_by_id.count(event.id) != 0) return Status::conflict("event " + event.id.str() + " exists");
    const int64_t seq = t_.next_seq;
    Event stored = event;
    stored.seq = seq;
    put(t_.events, seq, stored);
    put(t_.event_by_id, event.id, seq);
    set(t_.next_seq, seq + 1);
    events_->push_back(std::move(stored));
    return seq;
  }

  Result<std::vector<Event>> read_events(int64_t after_seq, int limit) override {
    OF_RETURN_IF_ERROR(check_limit(limit));
    std::vector<Event> out;
    for (auto it = t_.events.upper_bound(after_seq); it != t_.events.end(); ++it) {
      if (static_cast<int>(out.size()) >= limit) break;
      out.push_back(it->second);
    }
    return out;
  }

  Result<std::vector<Event>> read_subject_events(const std::string& subject, int64_t after_seq, int limit) override {
    OF_RETURN_IF_ERROR(check_limit(limit));
    std::vector<Event> out;
    for (auto it = t_.events.upper_bound(after_seq); it != t_.events.end(); ++it) {
      if (static_cast<int>(out.size()) >= limit) break;
      if (it->second.subject == subject) out.push_back(it->second);
    }
    return out;
  }

  Result<std::optional<Event>> get_event(int64_t seq) override { return find(t_.events, seq); }

  Result<int64_t> last_event_seq() override { return t_.events.empty() ? 0 : t_.events.rbegin()->first; }

  // Subscriptions.

  Result<int64_t> get_checkpoint(const std::string& subscription) override {
    auto it = t_.checkpoints.find(subscription);
    return it == t_.checkpoints.end() ? 0 : it->second;
  }

  Status set_checkpoint(const std::string& subscription, int64_t seq) override {
    if (!writable()) return read_only_error();
    put(t_.checkpoints, subscription, seq);
    return Status::ok();
  }

  Result<bool> inbox_insert(const std::string& subscription, const EventId& event_id) override {
    if (!writable()) return read_only_error();
    auto key = std::make_pair(subscription, event_id);
    if (!t_.inbox.insert(key).second) return false;
    auto& inbox = t_.inbox;
    undo_->push_back([&inbox, key] { inbox.erase(key); });
    return true;
  }

  Status put_pending_delivery(const PendingDelivery& delivery) override {
    if (!writable()) return read_only_error();
    put(t_.pending, std::make_pair(delivery.subscription, delivery.event_seq), delivery);
    return Status::ok();
  }

  Status delete_pending_delivery(const std::string& subscription, int64_t event_seq) override {
    if (!writable()) return read_only_error();
    erase(t_.pending, std::make_pair(subscription, event_seq));
    return Status::ok();
  }

  Result<bool> has_pending_delivery(const std::string& subscription, const std::string& subject) override {
    for (auto it = pending_begin(subscription); it != pending_end(subscription); ++it) {
      if (it->second.subject == subject) return true;
    }
    return false;
  }

  Result<std::vector<PendingDelivery>> due_pending_deliveries(const std::string& subscription, TimeMs now_ms,
                                                              int limit) override {
    OF_RETURN_IF_ERROR(check_limit(limit));
    // Ascending seq, so the first row of each subject is its head; later rows
    // of that subject wait behind it whatever their own time.
    std::set<std::string> seen;
    std::vector<PendingDelivery> out;
    for (auto it = pending_begin(subscription); it != pending_end(subscription); ++it) {
      if (static_cast<int>(out.size()) >= limit) break;
      const PendingDelivery& delivery = it->second;
      if (!seen.insert(delivery.subject).second) continue;
      if (delivery.next_attempt_at_ms <= now_ms) out.push_back(delivery);
    }
    return out;
  }

  Result<std::optional<TimeMs>> next_pending_delivery_at(const std::string& subscription) override {
    std::optional<TimeMs> earliest;
    for (auto it = pending_begin(subscription); it != pending_end(subscription); ++it) {
      if (!earliest || it->second.next_attempt_at_ms < *earliest) earliest = it->second.next_attempt_at_ms;
    }
    return earliest;
  }

  Result<int64_t> count_pending_deliveries() override { return static_cast<int64_t>(t_.pending.size()); }

  // Jobs.

  Status put_job(const Job& job) override {
    if (!writable()) return read_only_error();
    auto existing = t_.jobs.find(job.id);
    if (existing == t_.jobs.end()) {
      put(t_.jobs, job.id, job);
      return Status::ok();
    }
    Job updated = existing->second;  // kind, subject, payload, created_at stay
    updated.state = job.state;
    updated.attempts = job.attempts;
    updated.next_attempt_at_ms = job.next_attempt_at_ms;
    updated.last_error = job.last_error;
    updated.result_json = job.result_json;
    updated.updated_at_ms = job.updated_at_ms;
    put(t_.jobs, job.id, updated);
    return Status::ok();
  }

  Result<std::optional<Job>> get_job(const JobId& id) override { return find(t_.jobs, id); }

  Result<std::vector<Job>> due_jobs(TimeMs now_ms, int limit) override {
    OF_RETURN_IF_ERROR(check_limit(limit));
    std::vector<const Job*> due;
    for (const auto& [id, job] : t_.jobs) {
      if (is_job_pending(job.state) && job.next_attempt_at_ms <= now_ms) due.push_back(&job);
    }
    std::sort(due.begin(), due.end(), [](const Job* a, const Job* b) {
      return std::tie(a->next_attempt_at_ms, a->id) < std::tie(b->next_attempt_at_ms, b->id);
    });
    if (static_cast<int>(due.size()) > limit) due.resize(static_cast<size_t>(limit));
    std::vector<Job> out;
    out.reserve(due.size());
    for (const Job* job : due) out.push_back(*job);
    return out;
  }

  Result<std::optional<TimeMs>> next_job_at() override {
    std::optional<TimeMs> earliest;
    for (const auto& [id, job] : t_.jobs) {
      if (is_job_pending(job.state) && (!earliest || job.next_attempt_at_ms < *earliest)) {
        earliest = job.next_attempt_at_ms;
      }
    }
    return earliest;
  }

  Result<std::vector<Job>> jobs_for_subject(const std::string& subject) override {
    std::vector<Job> out;
    for (const auto& [id, job] : t_.jobs) {
      if (job.subject == subject) out.push_back(job);
    }
    std::sort(out.begin(), out.end(), [](const Job& a, const Job& b) {
      return std::tie(a.created_at_ms, a.id) < std::tie(b.created_at_ms, b.id);
    });
    return out;
  }

  Result<int64_t> prune_finished(TimeMs jobs_done_before_ms, const EventId& inbox_before, int limit) override {
    if (!writable()) return read_only_error();
    OF_RETURN_IF_ERROR(check_limit(limit));
    int64_t deleted = 0;
    int jobs_deleted = 0;
    for (auto it = t_.jobs.begin(); it != t_.jobs.end() && jobs_deleted < limit;) {
      if (it->second.state == core::JobState::kDone && it->second.updated_at_ms < jobs_done_before_ms) {
        auto& jobs = t_.jobs;
        undo_->push_back([&jobs, entry = *it] { jobs.insert(entry); });
        it = t_.jobs.erase(it);
        ++jobs_deleted;
      } else {
        ++it;
      }
    }
    deleted += jobs_deleted;
    std::map<std::string, int> per_subscription;
    for (auto it = t_.inbox.begin(); it != t_.inbox.end();) {
      int& count = per_subscription[it->first];
      if (it->second < inbox_before && count < limit) {
        auto& inbox = t_.inbox;
        undo_->push_back([&inbox, key = *it] { inbox.insert(key); });
        it = t_.inbox.erase(it);
        ++count;
        ++deleted;
      } else {
        ++it;
      }
    }
    return deleted;
  }

  Result<std::vector<Job>> jobs_in_state(core::JobState state, int limit) override {
    OF_RETURN_IF_ERROR(check_limit(limit));
    std::vector<Job> out;
    for (const auto& [id, job] : t_.jobs) {
      if (job.state == state) out.push_back(job);
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const Job& a, const Job& b) { return a.next_attempt_at_ms < b.next_attempt_at_ms; });
    if (static_cast<int>(out.size()) > limit) out.resize(static_cast<size_t>(limit));
    return out;
  }

  Result<int64_t> count_jobs(core::JobState state) override {
    return static_cast<int64_t>(std::count_if(t_.jobs.begin(), t_.jobs.end(),
                                              [state](const auto& entry) { return entry.second.state == state; }));
  }

  // Idempotency keys.

  Result<std::optional<IdempotencyRecord>> get_idempotent(const std::string& key) override {
    return find(t_.idempotency, key);
  }

  Status put_idempotent(const IdempotencyRecord& record) override {
    if (!writable()) return read_only_error();
    put(t_.idempotency, record.key, record);
    return Status::ok();
  }

  Result<int64_t> prune_idempotent(TimeMs created_before_ms, int limit) override {
    if (!writable()) return read_only_error();
    OF_RETURN_IF_ERROR(check_limit(limit));
    // Oldest first, like the sqlite adapter's index, so a full batch takes the oldest.
    std::vector<std::pair<TimeMs, std::string>> old;
    for (const auto& [key, record] : t_.idempotency) {
      if (record.created_at_ms < created_before_ms) old.emplace_back(record.created_at_ms, key);
    }
    std::sort(old.begin(), old.end());
    if (static_cast<int>(old.size()) > limit) old.resize(static_cast<size_t>(limit));
    for (const auto& [created_at_ms, key] : old) erase(t_.idempotency, key);
    return static_cast<int64_t>(old.size());
  }

  // Dead letters.

  Result<int64_t> insert_dead_letter(const DeadLetter& dead_letter) override {
    if (!writable()) return read_only_error();
    const int64_t id = t_.next_dead_letter_id;
    DeadLetter stored = dead_letter;
    stored.id = id;
    put(t_.dead_letters, id, stored);
    set(t_.next_dead_letter_id, id + 1);
    return id;
  }

  Status put_dead_letter(const DeadLetter& dead_letter) override {
    if (!writable()) return read_only_error();
    if (t_.dead_letters.count(dead_letter.id) == 0) {
      return Status::not_found("dead letter " + std::to_string(dead_letter.id) + " not found");
    }
    put(t_.dead_letters, dead_letter.id, dead_letter);
    return Status::ok();
  }

  Result<std::optional<DeadLetter>> get_dead_letter(int64_t id) override { return find(t_.dead_letters, id); }

  Result<std::vector<DeadLetter>> list_dead_letters(bool include_redriven, int64_t after_id, int limit) override {
    OF_RETURN_IF_ERROR(check_limit(limit));
    std::vector<DeadLetter> out;
    for (auto it = t_.dead_letters.upper_bound(after_id); it != t_.dead_letters.end(); ++it) {
      if (static_cast<int>(out.size()) >= limit) break;
      if (include_redriven || !it->second.redriven_at_ms) out.push_back(it->second);
    }
    return out;
  }

 private:
  bool writable() const { return undo_ != nullptr; }

  template <class Map, class Key>
  static Result<std::optional<typename Map::mapped_type>> find(const Map& map, const Key& key) {
    auto it = map.find(key);
    if (it == map.end()) return std::optional<typename Map::mapped_type>();
    return std::optional<typename Map::mapped_type>(it->second);
  }

  template <class Map, class Key>
  static Result<std::vector<typename Map::mapped_type>> list_after(const Map& map, const std::optional<Key>& after,
                                                                   int limit) {
    OF_RETURN_IF_ERROR(check_limit(limit));
    std::vector<typename Map::mapped_type> out;
    for (auto it = after ? map.upper_bound(*after) : map.begin(); it != map.end(); ++it) {
      if (static_cast<int>(out.size()) >= limit) break;
      out.push_back(it->second);
    }
    return out;
  }

  // Inserts or replaces, logging how to undo it.
  template <class Map, class Key, class Value>
  void put(Map& map, const Key& key, const Value& value) {
    auto it = map.find(key);
    if (it == map.end()) {
      map.emplace(key, value);
      undo_->push_back([&map, key] { map.erase(key); });
    } else {
      undo_->push_back([&map, key, old = it->second] { map.find(key)->second = old; });
      it->second = value;
    }
  }

  template <class Map, class Key>
  void erase(Map& map, const Key& key) {
    auto it = map.find(key);
    if (it == map.end()) return;
    undo_->push_back([&map, key, old = it->second] { map.emplace(key, old); });
    map.erase(it);
  }

  void set(int64_t& field, int64_t value) {
    undo_->push_back([&field, old = field] { field = old; });
    field = value;
  }

  // Records keyed by id with at most one per order (reservations, payments,
  // shipments): another record of the same order is a conflict.
  template <class Record, class IdMap, class OrderMap>
  Status put_one_per_order(IdMap& records, OrderMap& by_order, const Record& record, const char* what) {
    auto owner = by_order.find(record.order_id);
    if (owner != by_order.end() && owner->second != record.id) {
      return Status::conflict(std::string("order ") + record.order_id.str() + " already has " + what + " " +
                              owner->second.str());
    }
    auto existing = records.find(record.id);
    if (existing != records.end() && existing->second.order_id != record.order_id) {
      erase(by_order, existing->second.order_id);
    }
    put(records, record.id, record);
    put(by_order, record.order_id, record.id);
    return Status::ok();
  }

  template <class IdMap, class OrderMap>
  static Result<std::optional<typename IdMap::mapped_type>> find_by_order(const IdMap& records,
                                                                          const OrderMap& by_order,
                                                                          const OrderId& order_id) {
    auto owner = by_order.find(order_id);
    if (owner == by_order.end()) return std::optional<typename IdMap::mapped_type>();
    return find(records, owner->second);
  }

  using PendingMap = std::map<std::pair<std::string, int64_t>, PendingDelivery>;
  PendingMap::const_iterator pending_begin(const std::string& subscription) const {
    return t_.pending.lower_bound({subscription, std::numeric_limits<int64_t>::min()});
  }
  PendingMap::const_iterator pending_end(const std::string& subscription) const {
    return t_.pending.upper_bound({subscription, std::numeric_limits<int64_t>::max()});
  }

  Tables& t_;
  UndoLog* undo_;
  std::vector<Event>* events_;
};

}  // namespace

MemoryStore::MemoryStore(MemoryStoreOptions options)
    : options_(options),
      queue_(static_cast<size_t>(std::max(1, options.queue_units_max))),
      tables_(std::make_unique<Tables>()) {}

MemoryStore::~MemoryStore() { stop(); }

std::shared_lock<std::shared_mutex> MemoryStore::lock_shared() {
  std::lock_guard turn(turnstile_);
  return std::shared_lock(tables_mutex_);
}

std::unique_lock<std::shared_mutex> MemoryStore::lock_exclusive() {
  // Holding the turnstile while waiting keeps new readers out; readers
  // already in finish, and then the writer is in.
  std::lock_guard turn(turnstile_);
  return std::unique_lock(tables_mutex_);
}

Status MemoryStore::start() {
  std::lock_guard lock(lifecycle_mutex_);
  if (state_ != State::kNew) return Status::internal("store already started");
  if (options_.batch_units_max < 1) return Status::invalid("batch_units_max must be >= 1", "batch_units_max");
  if (options_.queue_units_max < 1) return Status::invalid("queue_units_max must be >= 1", "queue_units_max");
  state_ = State::kRunning;
  {
    std::unique_lock tables_lock = lock_exclusive();
    readable_ = true;
  }
  queue_.open();
  writer_thread_ = std::thread([this] { run_writer(); });
  return Status::ok();
}

void MemoryStore::stop() {
  std::lock_guard lock(lifecycle_mutex_);
  if (state_ != State::kRunning) {
    state_ = State::kStopped;
    return;
  }
  state_ = State::kStopped;
  queue_.close();
  writer_thread_.join();
  std::unique_lock tables_lock = lock_exclusive();
  readable_ = false;
}

void MemoryStore::submit(Work work, Done done) {
  OF_ASSERT(work != nullptr);
  Status status = queue_.push(work, done);
  if (!status.is_ok() && done) done(status);
}

Status MemoryStore::read(const std::function<Status(Tx&)>& reader) {
  std::shared_lock lock = lock_shared();
  if (!readable_) return Status::unavailable("store is not running");
  MemoryTx tx(*tables_, nullptr, nullptr);
  return reader(tx);
}

void MemoryStore::add_commit_listener(CommitListener listener) {
  std::lock_guard lock(lifecycle_mutex_);
  OF_ASSERT_MSG(state_ == State::kNew, "add commit listeners before start()");
  listeners_.push_back(std::move(listener));
}

StoreStats MemoryStore::stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

void MemoryStore::run_writer() {
  std::vector<Unit> batch;
  while (queue_.pop_batch(static_cast<size_t>(options_.batch_units_max), batch)) {
    run_batch(batch);
    batch.clear();
  }
}

void MemoryStore::run_batch(std::vector<Unit>& batch) {
  std::vector<Status> results;
  results.reserve(batch.size());
  CommitInfo info;
  {
    std::unique_lock lock = lock_exclusive();
    UndoLog undo;
    MemoryTx tx(*tables_, &undo, &info.events);
    for (Unit& unit : batch) {
      const MemoryTx::Mark start = tx.mark();
      Status status;
      try {
        status = unit.work(tx);
      } catch (const std::exception& error) {
        status = Status::internal(std::string("unit threw: ") + error.what());
      }
      if (status.is_ok()) {
        ++info.units;
      } else {
        tx.rollback_to(start);
      }
      results.push_back(std::move(status));
    }
    // Commit: the undo log is simply forgotten.
  }
  {
    std::lock_guard lock(stats_mutex_);
    stats_.commits += 1;
    stats_.units += static_cast<int64_t>(batch.size());
    stats_.units_failed += static_cast<int64_t>(batch.size()) - info.units;
    stats_.last_batch_units = static_cast<int64_t>(batch.size());
    stats_.max_batch_units = std::max(stats_.max_batch_units, stats_.last_batch_units);
  }
  if (info.units > 0) {
    for (const CommitListener& listener : listeners_) listener(info);
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].done) batch[i].done(results[i]);
  }
}

}  // namespace of::store
