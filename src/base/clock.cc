#include "base/clock.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace of {

TimeMs SystemClock::now_ms() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t SystemClock::monotonic_us() const {
  using namespace std::chrono;
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

std::string format_iso8601(TimeMs time_ms) {
  int64_t seconds = time_ms / 1000;
  int64_t millis = time_ms % 1000;
  if (millis < 0) {
    millis += 1000;
    seconds -= 1;
  }
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(millis));
  return buffer;
}

bool parse_iso8601(std::string_view text, TimeMs* out) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  std::string copy(text);
  int consumed = 0;
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute, &second,
                  &consumed) != 6 ||
      consumed != 19) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return false;
  size_t pos = 19;
  int millis = 0;
  if (pos < copy.size() && copy[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < copy.size() && copy[pos] >= '0' && copy[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (copy[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return false;
    for (int i = digits; i < 3; ++i) millis *= 10;
  }
  int offset_minutes = 0;
  if (pos < copy.size() && (copy[pos] == 'Z' || copy[pos] == 'z')) {
    ++pos;
  } else if (pos + 6 == copy.size() && (copy[pos] == '+' || copy[pos] == '-') && copy[pos + 3] == ':') {
    int oh = 0, om = 0;
    if (std::sscanf(copy.c_str() + pos + 1, "%2d:%2d", &oh, &om) != 2) return false;
    offset_minutes = (copy[pos] == '+' ? 1 : -1) * (oh * 60 + om);
    pos += 6;
  } else {
    return false;
  }
  if (pos != copy.size()) return false;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  std::time_t t = timegm(&tm);
  *out = (static_cast<int64_t>(t) - offset_minutes * 60LL) * 1000 + millis;
  return true;
}

}  // namespace of
