// Clock: the only way orderflow code reads the time, so tests can drive it.
//
// Wall time is Unix epoch milliseconds (TimeMs); monotonic time is for measuring
// durations only. SystemClock is thread-safe; ManualClock is thread-safe too and
// only moves when a test advances it.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace of {

using TimeMs = int64_t;  // Unix epoch, milliseconds

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimeMs now_ms() const = 0;
  // Monotonic microseconds, for durations.
  virtual int64_t monotonic_us() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimeMs now_ms() const override;
  int64_t monotonic_us() const override;
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimeMs start_ms) : now_ms_(start_ms) {}
  TimeMs now_ms() const override { return now_ms_.load(); }
  int64_t monotonic_us() const override { return now_ms_.load() * 1000; }
  void advance_ms(int64_t delta_ms) { now_ms_ += delta_ms; }
  void set_ms(TimeMs value) { now_ms_ = value; }

 private:
  std::atomic<TimeMs> now_ms_;
};

// RFC 3339 / ISO 8601 in UTC with milliseconds: "2026-11-25T12:46:13.123Z".
std::string format_iso8601(TimeMs time_ms);
// Parses the format above (and without fraction, or with a numeric offset). False on bad input.
bool parse_iso8601(std::string_view text, TimeMs* out);

}  // namespace of
