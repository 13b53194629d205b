// Signatures and secrets for the payment gateway protocol: HMAC-SHA256 (via
// libsodium), constant-time comparison, random identifiers, and the webhook
// signature header "Gateway-Signature: t=<unix seconds>,v1=<hex HMAC>" where
// the HMAC covers "<t>.<body>" (the scheme public card gateways use).
//
// Used by the gateway simulator to sign webhooks and by whoever receives them
// to verify. Pure functions, callable from any thread; libsodium is
// initialised on first use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace of::crypto {

// Header name carrying a webhook's signature.
inline constexpr std::string_view kSignatureHeader = "Gateway-Signature";
// Largest accepted signature header (longer ones are refused unparsed).
inline constexpr size_t kSignatureHeaderBytesMax = 1024;

// Lower-case hex of HMAC-SHA256(key, message).
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

// Lower-case hex of SHA-256(message): a digest of a request, for
// idempotency keys (the same key must come with the same request).
std::string sha256_hex(std::string_view message);

// True when a and b are equal, in time that depends only on their lengths.
bool constant_time_equal(std::string_view a, std::string_view b);

// `prefix` followed by `random_bytes` bytes from the OS CSPRNG in lower-case hex
// (e.g. "tok_" + 24 hex digits): unguessable ids for tokens and objects.
std::string random_id(std::string_view prefix, size_t random_bytes = 12);

// "t=<timestamp_s>,v1=<hex HMAC over '<timestamp_s>.<body>'>".
std::string sign_webhook(std::string_view secret, int64_t timestamp_s, std::string_view body);

// Checks a signature header against the body: kInvalidArgument when the header
// is malformed or no v1 signature matches, kConflict when the timestamp is more
// than tolerance_s away from now_s (a replay or a badly skewed clock).
Status verify_webhook(std::string_view secret, std::string_view header, std::string_view body, int64_t now_s,
                      int64_t tolerance_s);

}  // namespace of::crypto
