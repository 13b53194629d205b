// LogChannel: a NotificationChannel that appends each message as one JSON line
// to a file (the embedded shape's stand-in for email, SMS and push, and the
// sink tests read). Thread-safe; every line is flushed before send() returns.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>

#include "base/status.h"
#include "services/notifications/notification_channel.h"

namespace of::providers {

class LogChannel final : public services::NotificationChannel {
 public:
  LogChannel() = default;
  ~LogChannel() override;
  Status open(const std::string& path);
  std::string name() const override { return "log"; }
  services::SendResult send(const services::Notification& notification) override;

 private:
  std::mutex mutex_;
  std::FILE* file_ = nullptr;
};

}  // namespace of::providers
