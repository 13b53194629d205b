#include "gateway/status_hub.h"

#include <chrono>

#include "codec/api_json.h"
#include "codec/events_json.h"
#include "core/events.h"

namespace of::gateway {

struct StatusHub::Watcher {
  OrderId order_id;
  std::shared_ptr<net::ResponseStream> stream;
  std::mutex mutex;
  int64_t last_sent_seq = 0;
  bool replayed = false;
  std::vector<std::pair<int64_t, std::string>> buffered;  // live changes seen during the replay

  // Writes one change if it is newer than what the client has. Caller holds mutex.
  void send_locked(int64_t seq, const std::string& data) {
    if (seq <= last_sent_seq) return;
    last_sent_seq = seq;
    stream->write("id: " + std::to_string(seq) + "\nevent: status\ndata: " + data + "\n\n");
  }
};

StatusHub::StatusHub(store::Store& store, int64_t keepalive_interval_ms, size_t streams_max)
    : store_(store), keepalive_interval_ms_(keepalive_interval_ms), streams_max_(streams_max) {}

StatusHub::~StatusHub() { stop(); }

void StatusHub::start() { keepalive_thread_ = std::thread([this] { keepalive_loop(); }); }

void StatusHub::stop() {
  std::vector<std::shared_ptr<Watcher>> all;
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !keepalive_thread_.joinable()) return;
    stopping_ = true;
    for (auto& [id, watcher] : watchers_) all.push_back(watcher);
  }
  stop_cv_.notify_all();
  if (keepalive_thread_.joinable()) keepalive_thread_.join();
  for (auto& watcher : all) watcher->stream->close();
}

size_t StatusHub::stream_count() const {
  std::lock_guard lock(mutex_);
  return count_;
}

void StatusHub::on_commit(const store::CommitInfo& commit) {
  for (const auto& event : commit.events) {
    if (event.type != core::event_type::kOrderStatusChanged) continue;
    std::vector<std::shared_ptr<Watcher>> targets;
    {
      std::lock_guard lock(mutex_);
      auto [begin, end] = watchers_.equal_range(event.subject);
      for (auto it = begin; it != end; ++it) targets.push_back(it->second);
    }
    if (targets.empty()) continue;
    auto data = codec::decode_order_status_changed(event.data_json);
    if (!data) continue;
    core::StatusChange change;
    change.event_seq = event.seq;
    if (data->from) change.from = core::parse_order_status(*data->from);
    change.to = core::parse_order_status(data->to).value_or(core::OrderStatus::kPending);
    change.reason = data->reason;
    change.at_ms = data->timestamp;
    std::string body = codec::encode_status_change(OrderId(event.subject), change);
    for (auto& watcher : targets) {
      std::lock_guard lock(watcher->mutex);
      if (watcher->replayed) {
        watcher->send_locked(event.seq, body);
      } else {
        watcher->buffered.emplace_back(event.seq, body);
      }
    }
  }
}

Status StatusHub::attach(const OrderId& order_id, int64_t last_event_id, std::shared_ptr<net::ResponseStream> stream) {
  auto watcher = std::make_shared<Watcher>();
  watcher->order_id = order_id;
  watcher->stream = stream;
  watcher->last_sent_seq = last_event_id;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return Status::unavailable("shutting down");
    if (count_ >= streams_max_) return Status::limit("too many open status streams");
    watchers_.emplace(order_id.str(), watcher);
    ++count_;
  }
  std::weak_ptr<Watcher> weak = watcher;
  stream->on_close([this, weak] {
    if (auto strong = weak.lock()) detach(strong);
  });

  std::vector<core::StatusChange> history;
  Status read = store_.read([&](store::Tx& tx) -> Status {
    OF_ASSIGN_OR_RETURN(history, tx.status_history(order_id));
    return Status::ok();
  });
  std::lock_guard lock(watcher->mutex);
  if (!read.is_ok()) {
    stream->close();
    return read;
  }
  stream->write("retry: 1000\n\n");
  for (const auto& change : history) {
    watcher->send_locked(change.event_seq, codec::encode_status_change(order_id, change));
  }
  for (const auto& [seq, body] : watcher->buffered) watcher->send_locked(seq, body);
  watcher->buffered.clear();
  watcher->replayed = true;
  return Status::ok();
}

void StatusHub::detach(const std::shared_ptr<Watcher>& watcher) {
  std::lock_guard lock(mutex_);
  auto [begin, end] = watchers_.equal_range(watcher->order_id.str());
  for (auto it = begin; it != end; ++it) {
    if (it->second == watcher) {
      watchers_.erase(it);
      --count_;
      return;
    }
  }
}

void StatusHub::keepalive_loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, std::chrono::milliseconds(keepalive_interval_ms_));
    if (stopping_) break;
    std::vector<std::shared_ptr<Watcher>> all;
    for (auto& [id, watcher] : watchers_) all.push_back(watcher);
    lock.unlock();
    for (auto& watcher : all) watcher->stream->write(": keepalive\n\n");
    lock.lock();
  }
}

}  // namespace of::gateway
