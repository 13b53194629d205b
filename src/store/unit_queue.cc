#include "store/unit_queue.h"

#include <utility>

namespace of::store {

Status UnitQueue::push(Work& work, Done& done) {
  {
    std::lock_guard lock(mutex_);
    if (!open_ || closed_) return Status::unavailable("store is not running");
    if (units_.size() >= capacity_) return Status::limit("store write queue is full");
    units_.push_back(Unit{std::move(work), std::move(done)});
  }
  not_empty_.notify_one();
  return Status::ok();
}

bool UnitQueue::pop_batch(size_t max_units, std::vector<Unit>& out, std::chrono::microseconds linger) {
  OF_ASSERT(out.empty() && max_units > 0);
  std::unique_lock lock(mutex_);
  not_empty_.wait(lock, [this] { return !units_.empty() || closed_; });
  if (units_.empty()) return false;
  if (linger.count() > 0 && units_.size() < max_units) {
    not_empty_.wait_for(lock, linger, [&] { return units_.size() >= max_units || closed_; });
  }
  while (!units_.empty() && out.size() < max_units) {
    out.push_back(std::move(units_.front()));
    units_.pop_front();
  }
  return true;
}

void UnitQueue::open() {
  std::lock_guard lock(mutex_);
  if (!closed_) open_ = true;
}

void UnitQueue::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  not_empty_.notify_all();
}

}  // namespace of::store
