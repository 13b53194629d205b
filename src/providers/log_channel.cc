#include "providers/log_channel.h"

#include <cerrno>
#include <cstring>

#include "base/log.h"

namespace of::providers {

LogChannel::~LogChannel() {
  if (file_) std::fclose(file_);
}

Status LogChannel::open(const std::string& path) {
  file_ = std::fopen(path.c_str(), "a");
  if (!file_) return Status::unavailable("cannot open notification log " + path + ": " + std::strerror(errno));
  return Status::ok();
}

services::SendResult LogChannel::send(const services::Notification& notification) {
  std::string line = "{";
  auto field = [&line](std::string_view name, std::string_view value, bool last = false) {
    line += "\"";
    line += name;
    line += "\":\"";
    append_json_escaped(line, value);
    line += last ? "\"" : "\",";
  };
  field("id", notification.id);
  field("orderId", notification.order_id);
  field("type", notification.type);
  field("channel", notification.channel);
  field("recipient", notification.recipient);
  field("subject", notification.subject);
  field("body", notification.body, true);
  line += "}\n";
  std::lock_guard lock(mutex_);
  if (!file_) return {services::SendResult::Outcome::kTransientError, "notification log is not open"};
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0) {
    return {services::SendResult::Outcome::kTransientError, std::string("write failed: ") + std::strerror(errno)};
  }
  return {services::SendResult::Outcome::kSent, {}};
}

}  // namespace of::providers
