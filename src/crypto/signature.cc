#include "crypto/signature.h"

#include <sodium.h>

#include <charconv>
#include <mutex>
#include <vector>

#include "base/assert.h"

namespace of::crypto {

namespace {

void ensure_sodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Fails only when the OS has no randomness source: nothing can be signed or
    // made unguessable then, so this is not a recoverable condition.
    OF_ASSERT_MSG(sodium_init() >= 0, "libsodium could not be initialised");
  });
}

std::string to_hex(const unsigned char* bytes, size_t length) {
  std::string hex(length * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes, length);
  hex.resize(length * 2);
  return hex;
}

}  // namespace

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  ensure_sodium();
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  return to_hex(mac, sizeof mac);
}

std::string sha256_hex(std::string_view message) {
  ensure_sodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  return to_hex(digest, sizeof digest);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  ensure_sodium();
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_id(std::string_view prefix, size_t random_bytes) {
  ensure_sodium();
  std::vector<unsigned char> bytes(random_bytes);
  randombytes_buf(bytes.data(), bytes.size());
  return std::string(prefix) + to_hex(bytes.data(), bytes.size());
}

std::string sign_webhook(std::string_view secret, int64_t timestamp_s, std::string_view body) {
  std::string stamp = std::to_string(timestamp_s);
  std::string signed_text = stamp + "." + std::string(body);
  return "t=" + stamp + ",v1=" + hmac_sha256_hex(secret, signed_text);
}

Status verify_webhook(std::string_view secret, std::string_view header, std::string_view body, int64_t now_s,
                      int64_t tolerance_s) {
  if (header.empty()) return Status::invalid("the webhook has no signature header");
  if (header.size() > kSignatureHeaderBytesMax) return Status::invalid("the webhook signature header is too long");
  std::string_view stamp;
  std::vector<std::string_view> signatures;
  size_t start = 0;
  while (start <= header.size()) {
    size_t comma = header.find(',', start);
    std::string_view part =
        header.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.substr(0, 2) == "t=") stamp = part.substr(2);
    if (part.substr(0, 3) == "v1=") signatures.push_back(part.substr(3));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  int64_t timestamp_s = 0;
  auto [end, error] = std::from_chars(stamp.data(), stamp.data() + stamp.size(), timestamp_s);
  if (stamp.empty() || error != std::errc() || end != stamp.data() + stamp.size()) {
    return Status::invalid("the webhook signature has no valid timestamp");
  }
  if (signatures.empty()) return Status::invalid("the webhook signature has no v1 signature");
  std::string expected = hmac_sha256_hex(secret, std::string(stamp) + "." + std::string(body));
  bool matched = false;
  for (auto signature : signatures) matched = constant_time_equal(signature, expected) || matched;
  if (!matched) return Status::invalid("the webhook signature does not match its body");
  int64_t skew = now_s > timestamp_s ? now_s - timestamp_s : timestamp_s - now_s;
  if (skew > tolerance_s) {
    return Status::conflict("the webhook timestamp is " + std::to_string(skew) + " s away from now (tolerance " +
                            std::to_string(tolerance_s) + " s)");
  }
  return Status::ok();
}

}  // namespace of::crypto
