// Ledger: the state of the payment gateway simulator (`orderflow gateway-sim`)
// and its API semantics, without HTTP: card tokens, payment intents, captures,
// refunds, and the idempotency records that make a repeated request return the
// first result.
//
// The API is shaped like a modern card gateway's payment intents (JSON bodies,
// snake_case fields, errors as {"error":{"type","code","decline_code",
// "message"}}, card declines answered 402). Each operation takes the request
// body and returns the HTTP status and body to answer, plus the webhook events
// it caused; gateway_sim.cc adds transport, faults and webhooks around it.
//
// Idempotency: POST /v1/payment_intents and POST /v1/refunds require an
// Idempotency-Key (1..255 characters). A key is bound to its endpoint and to a
// fingerprint of the parameters: the same key with the same parameters answers
// what the first request decided (re-rendered from the object's current state);
// with other parameters or on another endpoint it is refused with 422
// idempotency_error. A request that failed validation (400) binds nothing.
// A "processing_error" card binds nothing either, so a retry is processed again.
//
// Card data: the full card number and the CVC are checked and dropped inside
// create_token(); only brand, last four digits, expiry and the test outcome
// class of the token are kept, in memory and in the ledger file.
//
// Test cards (POST /v1/tokens) and test tokens (used directly as payment_method):
//   4242424242424242, 5555555555554444, any other valid number, tok_visa,
//   tok_mastercard                                  -> succeeds
//   4000000000000002, tok_decline, tok_chargeDeclined -> declined card_declined
//   4000000000009995, tok_insufficient_funds, tok_chargeDeclinedInsufficientFunds
//                                                   -> declined insufficient_funds
//   4000000000000069, tok_expired, tok_chargeDeclinedExpiredCard, or a past expiry
//                                                   -> declined expired_card
//   4000000000000119, tok_processing_error, tok_chargeDeclinedProcessingError
//                                                   -> 402 processing_error (retryable)
//   4000000000007700, tok_lost_response             -> succeeds, but the answer to the
//                                                      first request is lost (lost_response)
//
// Persistence: with a path, every decision is appended to a JSON-lines file
// (flushed per line, so a killed simulator keeps it) and replayed on open();
// a restarted simulator therefore keeps its idempotency records.
// Thread-safe: one mutex around all state. Bounded: kObjectsMax objects.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"

namespace of::gatewaysim {

inline constexpr size_t kIdempotencyKeyBytesMax = 255;
// Tokens, payment intents and refunds together; beyond it requests get 429.
inline constexpr size_t kObjectsMax = 5'000'000;
inline constexpr int64_t kAmountMax = 99'999'999'999;  // minor units

enum class CardOutcome { kSuccess, kGenericDecline, kInsufficientFunds, kExpiredCard, kProcessingError, kLostResponse };

struct Answer {
  int status = 200;
  std::string body;                 // JSON
  bool lose_response = false;       // the card asks for the answer to be lost
  std::vector<std::string> events;  // webhook event bodies (JSON) to deliver
};

struct PaymentIntent {
  std::string id;
  std::string idempotency_key;
  std::string fingerprint;
  int64_t amount = 0;
  std::string currency;
  std::string payment_method;
  std::string brand;
  std::string last4;
  std::string status;  // succeeded | requires_capture | requires_payment_method
  int64_t amount_capturable = 0;
  int64_t amount_received = 0;
  int64_t amount_refunded = 0;
  std::string error_code;     // for a declined intent: card_declined, expired_card, ...
  std::string decline_code;   // generic_decline, insufficient_funds, expired_card
  std::string metadata_json;  // "{}" or the request's metadata object
  int64_t created_s = 0;
};

struct Refund {
  std::string id;
  std::string idempotency_key;
  std::string fingerprint;
  std::string payment_intent;
  int64_t amount = 0;
  std::string currency;
  int64_t created_s = 0;
};

class Ledger {
 public:
  // `path` empty: in memory only.
  Ledger(const Clock& clock, std::string path);
  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Replays the file (a torn last line is skipped) and opens it for appending.
  Status open();

  Answer create_token(std::string_view body);
  Answer create_payment_intent(std::string_view idempotency_key, std::string_view body);
  Answer get_payment_intent(std::string_view id) const;
  Answer find_payment_intent_by_key(std::string_view idempotency_key) const;
  Answer capture_payment_intent(std::string_view id, std::string_view body);
  Answer create_refund(std::string_view idempotency_key, std::string_view body);
  Answer find_refund_by_key(std::string_view idempotency_key) const;
  // Every payment intent and refund: {"payment_intents":[...],"refunds":[...]}.
  std::string ledger_json() const;

  std::vector<PaymentIntent> payment_intents() const;
  std::vector<Refund> refunds() const;

 private:
  struct Token {
    std::string brand, last4;
    int exp_month = 0, exp_year = 0;
    CardOutcome outcome = CardOutcome::kSuccess;
  };
  std::optional<Token> resolve_payment_method(const std::string& payment_method) const;  // caller holds mutex_
  void append(const std::string& line);                                                  // caller holds mutex_
  void apply(const std::string& line);                                                   // replay, caller holds mutex_
  std::string event_json(std::string_view type, const std::string& object_json) const;
  size_t objects() const { return tokens_.size() + intents_.size() + refunds_.size(); }

  const Clock& clock_;
  const std::string path_;
  mutable std::mutex mutex_;
  std::FILE* file_ = nullptr;
  std::map<std::string, Token> tokens_;               // by token id
  std::map<std::string, PaymentIntent> intents_;      // by id
  std::map<std::string, Refund> refunds_;             // by id
  std::map<std::string, std::string> intent_by_key_;  // idempotency key -> intent id
  std::map<std::string, std::string> refund_by_key_;  // idempotency key -> refund id
};

std::string intent_json(const PaymentIntent& intent);
std::string refund_json(const Refund& refund);

}  // namespace of::gatewaysim
