#include "store/store.h"

#include <future>

namespace of::store {

Status Store::write(Work work) {
  std::promise<Status> promise;
  auto future = promise.get_future();
  submit(std::move(work), [&promise](const Status& status) { promise.set_value(status); });
  return future.get();
}

}  // namespace of::store
