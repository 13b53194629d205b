// StatusHub: pushes each order's status changes to the Server-Sent Events
// streams watching it.
//
// attach() first registers the stream, then replays the order's history after
// Last-Event-ID from the store, then forwards live changes; changes that
// arrive during the replay are buffered and deduplicated by log seq, so a
// client sees every change once, in order. The SSE id is the log seq of the
// OrderStatusChanged event, so a reconnecting client resumes exactly.
// on_commit() runs on the store's writer thread and only looks up a map and
// queues bytes. A keep-alive comment goes to every stream every
// keepalive_interval_ms, which also finds clients that went away.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "base/ids.h"
#include "net/http_server.h"
#include "store/store.h"

namespace of::gateway {

class StatusHub {
 public:
  StatusHub(store::Store& store, int64_t keepalive_interval_ms, size_t streams_max);
  ~StatusHub();

  void on_commit(const store::CommitInfo& commit);
  // kLimitExceeded when streams_max streams are open.
  Status attach(const OrderId& order_id, int64_t last_event_id, std::shared_ptr<net::ResponseStream> stream);
  size_t stream_count() const;
  void start();
  void stop();

 private:
  struct Watcher;
  void detach(const std::shared_ptr<Watcher>& watcher);
  void keepalive_loop();

  store::Store& store_;
  const int64_t keepalive_interval_ms_;
  const size_t streams_max_;
  mutable std::mutex mutex_;
  std::multimap<std::string, std::shared_ptr<Watcher>> watchers_;  // by order id
  size_t count_ = 0;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread keepalive_thread_;
};

}  // namespace of::gateway
