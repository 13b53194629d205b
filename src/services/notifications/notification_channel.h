// NotificationChannel: the port to one way of reaching a person (email, SMS,
// push, or the log channel the embedded shape starts with).
//
// send() blocks (job worker thread) and is given a stable notification id, so
// a channel that can deduplicate does; at-least-once otherwise.
#pragma once

#include <string>

namespace of::services {

struct Notification {
  std::string id;  // stable per (event, channel, recipient)
  std::string order_id;
  std::string type;  // "order_confirmed", "order_shipped", ...
  std::string channel;
  std::string recipient;
  std::string subject;
  std::string body;
};

struct SendResult {
  enum class Outcome { kSent, kPermanentFailure, kTransientError };
  Outcome outcome = Outcome::kTransientError;
  std::string message;
};

class NotificationChannel {
 public:
  virtual ~NotificationChannel() = default;
  virtual std::string name() const = 0;
  virtual SendResult send(const Notification& notification) = 0;
};

}  // namespace of::services
