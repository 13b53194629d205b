#include "base/random.h"

#include <algorithm>
#include <cstdio>

namespace of {

Random::Random(uint64_t seed) : engine_(seed) {}

uint64_t Random::seed_from_os() {
  std::random_device device;
  return (static_cast<uint64_t>(device()) << 32) ^ device();
}

uint64_t Random::next_u64() {
  std::lock_guard lock(mutex_);
  return engine_();
}

uint64_t Random::uniform(uint64_t bound) {
  OF_ASSERT(bound > 0);
  std::lock_guard lock(mutex_);
  return std::uniform_int_distribution<uint64_t>(0, bound - 1)(engine_);
}

double Random::unit() {
  std::lock_guard lock(mutex_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine_);
}

std::string UuidV7Generator::next() {
  TimeMs now = clock_.now_ms();
  uint32_t counter = 0;
  {
    std::lock_guard lock(mutex_);
    if (now <= last_ms_) {
      now = last_ms_;
      counter = ++counter_;
      if (counter >= 0x1000) {  // rand_a is 12 bits: borrow the next millisecond
        now = ++last_ms_;
        counter = counter_ = 0;
      }
    } else {
      last_ms_ = now;
      counter = counter_ = 0;
    }
  }
  uint64_t random_bits = random_.next_u64();
  uint8_t bytes[16];
  uint64_t ms = static_cast<uint64_t>(now);
  for (int i = 0; i < 6; ++i) bytes[i] = static_cast<uint8_t>(ms >> (8 * (5 - i)));
  bytes[6] = static_cast<uint8_t>(0x70 | ((counter >> 8) & 0x0F));
  bytes[7] = static_cast<uint8_t>(counter & 0xFF);
  bytes[8] = static_cast<uint8_t>(0x80 | ((random_bits >> 56) & 0x3F));
  for (int i = 9; i < 16; ++i) bytes[i] = static_cast<uint8_t>(random_bits >> (8 * (15 - i)));
  char out[37];
  std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", bytes[0],
                bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10],
                bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
  return out;
}

std::string uuid_v7_floor(TimeMs time_ms) {
  const uint64_t ms = static_cast<uint64_t>(time_ms < 0 ? 0 : time_ms) & 0xFFFFFFFFFFFFULL;
  char out[37];
  std::snprintf(out, sizeof out, "%08llx-%04llx-7000-8000-000000000000", static_cast<unsigned long long>(ms >> 16),
                static_cast<unsigned long long>(ms & 0xFFFF));
  return out;
}

bool is_uuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

int64_t backoff_with_full_jitter_ms(Random& random, int attempt, int64_t base_ms, int64_t cap_ms) {
  OF_ASSERT(attempt >= 1 && base_ms >= 0 && cap_ms >= 0);
  int shift = std::min(attempt - 1, 30);
  int64_t ceiling = std::min(cap_ms, base_ms << shift);
  if (ceiling <= 0) return 0;
  return static_cast<int64_t>(random.uniform(static_cast<uint64_t>(ceiling) + 1));
}

}  // namespace of
