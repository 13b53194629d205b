// UnitQueue: the bounded queue between Store::submit() callers and a store's
// single writer thread, shared by the adapters so they batch alike.
//
// Many threads push; one writer thread pops batches. A batch is whatever is
// queued when the writer comes back for more (up to a bound), so batches grow
// by themselves while the writer is busy committing: that is group commit.
// After close() pushes are refused, and pops drain what was accepted before.
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <vector>

#include "store/store.h"

namespace of::store {

struct Unit {
  Work work;
  Done done;
};

class UnitQueue {
 public:
  // capacity: most units waiting at once (the running batch not counted).
  explicit UnitQueue(size_t capacity) : capacity_(capacity) {}

  UnitQueue(const UnitQueue&) = delete;
  UnitQueue& operator=(const UnitQueue&) = delete;

  // Takes the unit (moving from the arguments) and returns ok; or leaves the
  // arguments untouched and returns kLimitExceeded when full, kUnavailable
  // when not open. The caller reports a refusal through `done`.
  Status push(Work& work, Done& done);

  // Blocks until a unit is queued or the queue is closed and drained. Moves
  // at most `max_units` units into `out` (which must be empty) and returns
  // true; false means closed and drained: the writer should exit.
  // With a linger, a batch that is not full waits up to that long for more
  // units first (a commit delay: fewer, larger commits at low load).
  bool pop_batch(size_t max_units, std::vector<Unit>& out, std::chrono::microseconds linger = {});

  // Accepting starts closed, so nothing is queued before the writer exists.
  void open();
  void close();

 private:
  const size_t capacity_;
  std::mutex mutex_;
  std::condition_variable not_empty_;
  std::deque<Unit> units_;
  bool open_ = false;
  bool closed_ = false;  // once closed, never reopened
};

}  // namespace of::store
