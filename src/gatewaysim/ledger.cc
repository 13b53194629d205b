#include "gatewaysim/ledger.h"

#include <boost/json.hpp>
#include <ctime>
#include <fstream>

#include "base/log.h"
#include "crypto/signature.h"

namespace of::gatewaysim {

namespace json = boost::json;

namespace {

struct TestCard {
  std::string_view number_or_token;
  std::string_view brand;
  std::string_view last4;
  CardOutcome outcome;
};

// Numbers and tokens that select outcomes, as public gateways' test cards do.
constexpr TestCard kTestCards[] = {
    {"4242424242424242", "visa", "4242", CardOutcome::kSuccess},
    {"4000000000000002", "visa", "0002", CardOutcome::kGenericDecline},
    {"4000000000009995", "visa", "9995", CardOutcome::kInsufficientFunds},
    {"4000000000000069", "visa", "0069", CardOutcome::kExpiredCard},
    {"4000000000000119", "visa", "0119", CardOutcome::kProcessingError},
    {"4000000000007700", "visa", "7700", CardOutcome::kLostResponse},
    {"tok_visa", "visa", "4242", CardOutcome::kSuccess},
    {"tok_mastercard", "mastercard", "4444", CardOutcome::kSuccess},
    {"tok_decline", "visa", "0002", CardOutcome::kGenericDecline},
    {"tok_chargeDeclined", "visa", "0002", CardOutcome::kGenericDecline},
    {"tok_insufficient_funds", "visa", "9995", CardOutcome::kInsufficientFunds},
    {"tok_chargeDeclinedInsufficientFunds", "visa", "9995", CardOutcome::kInsufficientFunds},
    {"tok_expired", "visa", "0069", CardOutcome::kExpiredCard},
    {"tok_chargeDeclinedExpiredCard", "visa", "0069", CardOutcome::kExpiredCard},
    {"tok_processing_error", "visa", "0119", CardOutcome::kProcessingError},
    {"tok_chargeDeclinedProcessingError", "visa", "0119", CardOutcome::kProcessingError},
    {"tok_lost_response", "visa", "7700", CardOutcome::kLostResponse},
};

constexpr std::string_view kOutcomeNames[] = {"success",      "generic_decline",  "insufficient_funds",
                                              "expired_card", "processing_error", "lost_response"};

std::string_view outcome_name(CardOutcome outcome) { return kOutcomeNames[static_cast<int>(outcome)]; }

CardOutcome outcome_from_name(std::string_view name) {
  for (size_t i = 0; i < std::size(kOutcomeNames); ++i) {
    if (kOutcomeNames[i] == name) return static_cast<CardOutcome>(i);
  }
  return CardOutcome::kSuccess;
}

const TestCard* find_test_card(std::string_view number_or_token) {
  for (const auto& card : kTestCards) {
    if (card.number_or_token == number_or_token) return &card;
  }
  return nullptr;
}

int64_t now_s(const Clock& clock) { return clock.now_ms() / 1000; }

Answer error_answer(int status, std::string_view type, std::string_view code, std::string_view message,
                    std::string_view param = {}) {
  json::object error{{"type", type}, {"code", code}, {"message", message}};
  if (!param.empty()) error["param"] = param;
  return {status, json::serialize(json::object{{"error", std::move(error)}}), false, {}};
}

Answer invalid(std::string_view code, std::string_view message, std::string_view param = {}) {
  return error_answer(400, "invalid_request_error", code, message, param);
}

Answer idempotency_error(std::string_view message) {
  return error_answer(422, "idempotency_error", "idempotency_key_in_use", message);
}

Result<json::object> parse_body(std::string_view body) {
  if (body.empty()) return json::object();
  boost::system::error_code error;
  json::value value = json::parse(body, error);
  if (error || !value.is_object()) return Status::invalid("the request body is not a JSON object");
  return std::move(value.as_object());
}

std::string text_of(const json::object& object, std::string_view key) {
  auto* value = object.if_contains(key);
  return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

std::optional<int64_t> int_of(const json::object& object, std::string_view key) {
  auto* value = object.if_contains(key);
  if (!value) return std::nullopt;
  if (value->is_int64()) return value->as_int64();
  if (value->is_uint64() && value->as_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    return static_cast<int64_t>(value->as_uint64());
  }
  return std::nullopt;
}

bool luhn_valid(std::string_view digits) {
  int sum = 0;
  bool twice = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int digit = *it - '0';
    if (twice) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
    twice = !twice;
  }
  return sum % 10 == 0;
}

std::string brand_of(std::string_view digits) {
  if (digits.substr(0, 1) == "4") return "visa";
  int two = (digits[0] - '0') * 10 + (digits[1] - '0');
  if (two >= 51 && two <= 55) return "mastercard";
  int four = std::stoi(std::string(digits.substr(0, 4)));
  if (four >= 2221 && four <= 2720) return "mastercard";
  if (two == 34 || two == 37) return "amex";
  return "unknown";
}

bool all_digits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

json::value metadata_value(const std::string& metadata_json) {
  boost::system::error_code error;
  json::value value = json::parse(metadata_json, error);
  return error ? json::value(json::object()) : value;
}

json::object intent_object(const PaymentIntent& intent) {
  json::object object{{"id", intent.id},
                      {"object", "payment_intent"},
                      {"amount", intent.amount},
                      {"currency", intent.currency},
                      {"status", intent.status},
                      {"amount_capturable", intent.amount_capturable},
                      {"amount_received", intent.amount_received},
                      {"amount_refunded", intent.amount_refunded},
                      {"payment_method", intent.payment_method},
                      {"card", {{"brand", intent.brand}, {"last4", intent.last4}}},
                      {"idempotency_key", intent.idempotency_key},
                      {"metadata", metadata_value(intent.metadata_json)},
                      {"created", intent.created_s}};
  if (!intent.error_code.empty()) {
    object["last_payment_error"] = {
        {"type", "card_error"}, {"code", intent.error_code}, {"decline_code", intent.decline_code}};
  } else {
    object["last_payment_error"] = nullptr;
  }
  return object;
}

json::object refund_object(const Refund& refund) {
  return {{"id", refund.id},
          {"object", "refund"},
          {"amount", refund.amount},
          {"currency", refund.currency},
          {"payment_intent", refund.payment_intent},
          {"status", "succeeded"},
          {"idempotency_key", refund.idempotency_key},
          {"created", refund.created_s}};
}

// A declined intent answers 402 with the card error and the intent, as the
// first request did.
Answer render_intent(const PaymentIntent& intent) {
  if (intent.status != "requires_payment_method") return {200, json::serialize(intent_object(intent)), false, {}};
  std::string message = intent.decline_code == "insufficient_funds" ? "Your card has insufficient funds."
                        : intent.error_code == "expired_card"       ? "Your card has expired."
                                                                    : "Your card was declined.";
  json::object error{{"type", "card_error"},
                     {"code", intent.error_code},
                     {"decline_code", intent.decline_code},
                     {"message", message},
                     {"payment_intent", intent_object(intent)}};
  return {402, json::serialize(json::object{{"error", std::move(error)}}), false, {}};
}

Status check_key(std::string_view key) {
  if (key.empty()) return Status::invalid("the Idempotency-Key header is required");
  if (key.size() > kIdempotencyKeyBytesMax) {
    return Status::invalid("the Idempotency-Key header is longer than " + std::to_string(kIdempotencyKeyBytesMax) +
                           " characters");
  }
  return Status::ok();
}

}  // namespace

std::string intent_json(const PaymentIntent& intent) { return json::serialize(intent_object(intent)); }
std::string refund_json(const Refund& refund) { return json::serialize(refund_object(refund)); }

Ledger::Ledger(const Clock& clock, std::string path) : clock_(clock), path_(std::move(path)) {}

Ledger::~Ledger() {
  if (file_) std::fclose(file_);
}

Status Ledger::open() {
  std::lock_guard lock(mutex_);
  if (path_.empty()) return Status::ok();
  {
    std::ifstream file(path_);
    std::string line;
    while (std::getline(file, line)) apply(line);
  }
  file_ = std::fopen(path_.c_str(), "a");
  if (!file_) return Status::unavailable("cannot open the gateway ledger " + path_);
  OF_LOG_INFO("gateway-sim: ledger {} has {} payment intents, {} refunds", path_, intents_.size(), refunds_.size());
  return Status::ok();
}

void Ledger::append(const std::string& line) {
  if (!file_) return;
  std::fputs(line.c_str(), file_);
  std::fputc('\n', file_);
  // Flushed to the OS per line: a killed simulator keeps every decision it
  // answered (a power loss may not; this is a simulator).
  std::fflush(file_);
}

void Ledger::apply(const std::string& line) {
  boost::system::error_code error;
  json::value value = json::parse(line, error);
  if (error || !value.is_object()) return;  // a torn last line
  const json::object& object = value.as_object();
  std::string type = text_of(object, "type");
  if (type == "token") {
    Token token{
        text_of(object, "brand"), text_of(object, "last4"), static_cast<int>(int_of(object, "exp_month").value_or(0)),
        static_cast<int>(int_of(object, "exp_year").value_or(0)), outcome_from_name(text_of(object, "outcome"))};
    tokens_[text_of(object, "id")] = token;
  } else if (type == "payment_intent") {
    PaymentIntent intent;
    intent.id = text_of(object, "id");
    intent.idempotency_key = text_of(object, "idempotency_key");
    intent.fingerprint = text_of(object, "fingerprint");
    intent.amount = int_of(object, "amount").value_or(0);
    intent.currency = text_of(object, "currency");
    intent.payment_method = text_of(object, "payment_method");
    intent.brand = text_of(object, "brand");
    intent.last4 = text_of(object, "last4");
    intent.status = text_of(object, "status");
    intent.amount_capturable = int_of(object, "amount_capturable").value_or(0);
    intent.amount_received = int_of(object, "amount_received").value_or(0);
    intent.error_code = text_of(object, "error_code");
    intent.decline_code = text_of(object, "decline_code");
    intent.metadata_json = text_of(object, "metadata_json");
    intent.created_s = int_of(object, "created").value_or(0);
    intent_by_key_[intent.idempotency_key] = intent.id;
    intents_[intent.id] = std::move(intent);
  } else if (type == "capture") {
    auto found = intents_.find(text_of(object, "id"));
    if (found == intents_.end()) return;
    found->second.status = "succeeded";
    found->second.amount_received = int_of(object, "amount").value_or(0);
    found->second.amount_capturable = 0;
  } else if (type == "refund") {
    Refund refund;
    refund.id = text_of(object, "id");
    refund.idempotency_key = text_of(object, "idempotency_key");
    refund.fingerprint = text_of(object, "fingerprint");
    refund.payment_intent = text_of(object, "payment_intent");
    refund.amount = int_of(object, "amount").value_or(0);
    refund.currency = text_of(object, "currency");
    refund.created_s = int_of(object, "created").value_or(0);
    auto intent = intents_.find(refund.payment_intent);
    if (intent != intents_.end()) intent->second.amount_refunded += refund.amount;
    refund_by_key_[refund.idempotency_key] = refund.id;
    refunds_[refund.id] = std::move(refund);
  }
}

std::string Ledger::event_json(std::string_view type, const std::string& object_json) const {
  json::object event{{"id", crypto::random_id("evt_")},
                     {"object", "event"},
                     {"type", type},
                     {"created", now_s(clock_)},
                     {"data", {{"object", json::parse(object_json)}}}};
  return json::serialize(event);
}

std::optional<Ledger::Token> Ledger::resolve_payment_method(const std::string& payment_method) const {
  if (const TestCard* card = find_test_card(payment_method); card && payment_method.rfind("tok_", 0) == 0) {
    return Token{std::string(card->brand), std::string(card->last4), 12, 2099, card->outcome};
  }
  auto found = tokens_.find(payment_method);
  if (found == tokens_.end()) return std::nullopt;
  return found->second;
}

Answer Ledger::create_token(std::string_view body) {
  auto parsed = parse_body(body);
  if (!parsed) return invalid("parameter_invalid", parsed.status().message());
  auto* card_value = parsed->if_contains("card");
  if (!card_value || !card_value->is_object()) return invalid("parameter_missing", "card is required", "card");
  const json::object& card = card_value->as_object();
  // The number and CVC live only in this scope; no error message repeats them.
  std::string number;
  for (char c : text_of(card, "number")) {
    if (c != ' ' && c != '-') number.push_back(c);
  }
  if (!all_digits(number) || number.size() < 12 || number.size() > 19 || !luhn_valid(number)) {
    return error_answer(402, "card_error", "incorrect_number", "The card number is incorrect.", "card[number]");
  }
  auto exp_month = int_of(card, "exp_month");
  auto exp_year = int_of(card, "exp_year");
  if (!exp_month || *exp_month < 1 || *exp_month > 12) {
    return error_answer(402, "card_error", "invalid_expiry_month", "The expiry month is invalid.", "card[exp_month]");
  }
  if (!exp_year || *exp_year < 2000 || *exp_year > 2100) {
    return error_answer(402, "card_error", "invalid_expiry_year", "The expiry year is invalid.", "card[exp_year]");
  }
  std::string cvc = text_of(card, "cvc");
  if (!cvc.empty() && (!all_digits(cvc) || cvc.size() < 3 || cvc.size() > 4)) {
    return error_answer(402, "card_error", "invalid_cvc", "The security code is invalid.", "card[cvc]");
  }
  Token token;
  token.brand = brand_of(number);
  token.last4 = number.substr(number.size() - 4);
  token.exp_month = static_cast<int>(*exp_month);
  token.exp_year = static_cast<int>(*exp_year);
  if (const TestCard* test = find_test_card(number)) token.outcome = test->outcome;
  std::time_t now = static_cast<std::time_t>(now_s(clock_));
  std::tm utc{};
  gmtime_r(&now, &utc);
  if (token.exp_year * 12 + token.exp_month < (utc.tm_year + 1900) * 12 + utc.tm_mon + 1) {
    token.outcome = CardOutcome::kExpiredCard;
  }
  std::string id = crypto::random_id("tok_");
  json::object answer{
      {"id", id},
      {"object", "token"},
      {"card",
       {{"brand", token.brand}, {"last4", token.last4}, {"exp_month", token.exp_month}, {"exp_year", token.exp_year}}},
      {"created", now_s(clock_)}};
  std::lock_guard lock(mutex_);
  if (objects() >= kObjectsMax) return error_answer(429, "rate_limit_error", "rate_limit", "the simulator is full");
  tokens_[id] = token;
  append(json::serialize(json::object{{"type", "token"},
                                      {"id", id},
                                      {"brand", token.brand},
                                      {"last4", token.last4},
                                      {"exp_month", token.exp_month},
                                      {"exp_year", token.exp_year},
                                      {"outcome", outcome_name(token.outcome)}}));
  return {200, json::serialize(answer), false, {}};
}

Answer Ledger::create_payment_intent(std::string_view idempotency_key, std::string_view body) {
  if (Status key = check_key(idempotency_key); !key.is_ok()) {
    return invalid("idempotency_key_invalid", key.message(), "Idempotency-Key");
  }
  auto parsed = parse_body(body);
  if (!parsed) return invalid("parameter_invalid", parsed.status().message());
  auto amount = int_of(*parsed, "amount");
  if (!amount || *amount < 1 || *amount > kAmountMax) {
    return invalid("amount_invalid", "amount must be an integer 1.." + std::to_string(kAmountMax) + " (minor units)",
                   "amount");
  }
  std::string currency = text_of(*parsed, "currency");
  if (currency.size() != 3 ||
      currency.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos) {
    return invalid("parameter_invalid", "currency must be a three-letter ISO code", "currency");
  }
  for (char& c : currency) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string payment_method = text_of(*parsed, "payment_method");
  if (payment_method.empty()) return invalid("parameter_missing", "payment_method is required", "payment_method");
  bool capture = true;
  if (auto* value = parsed->if_contains("capture")) {
    if (!value->is_bool()) return invalid("parameter_invalid", "capture must be true or false", "capture");
    capture = value->as_bool();
  }
  if (text_of(*parsed, "capture_method") == "manual") capture = false;
  std::string metadata = "{}";
  if (auto* value = parsed->if_contains("metadata")) {
    if (!value->is_object()) return invalid("parameter_invalid", "metadata must be an object", "metadata");
    metadata = json::serialize(*value);
  }
  std::string fingerprint = std::to_string(*amount) + "|" + currency + "|" + payment_method + "|" +
                            (capture ? "auto" : "manual") + "|" + metadata;
  std::string key(idempotency_key);

  std::lock_guard lock(mutex_);
  if (refund_by_key_.count(key)) {
    return idempotency_error("this Idempotency-Key was used for a refund; use a new key for a payment");
  }
  if (auto found = intent_by_key_.find(key); found != intent_by_key_.end()) {
    const PaymentIntent& first = intents_.at(found->second);
    if (first.fingerprint != fingerprint) {
      return idempotency_error(
          "this Idempotency-Key was used with other parameters (amount, currency, payment "
          "method, capture or metadata); use a new key");
    }
    return render_intent(first);
  }
  if (objects() >= kObjectsMax) return error_answer(429, "rate_limit_error", "rate_limit", "the simulator is full");
  auto token = resolve_payment_method(payment_method);
  if (!token)
    return error_answer(400, "invalid_request_error", "resource_missing", "No such payment method", "payment_method");
  if (token->outcome == CardOutcome::kProcessingError) {
    // Nothing is recorded: the client should retry, with the same key.
    return error_answer(402, "card_error", "processing_error",
                        "An error occurred while processing the card. Try again in a little bit.");
  }
  PaymentIntent intent;
  intent.id = crypto::random_id("pi_");
  intent.idempotency_key = key;
  intent.fingerprint = fingerprint;
  intent.amount = *amount;
  intent.currency = currency;
  intent.payment_method = payment_method;
  intent.brand = token->brand;
  intent.last4 = token->last4;
  intent.metadata_json = metadata;
  intent.created_s = now_s(clock_);
  switch (token->outcome) {
    case CardOutcome::kGenericDecline:
      intent.error_code = "card_declined";
      intent.decline_code = "generic_decline";
      break;
    case CardOutcome::kInsufficientFunds:
      intent.error_code = "card_declined";
      intent.decline_code = "insufficient_funds";
      break;
    case CardOutcome::kExpiredCard:
      intent.error_code = "expired_card";
      intent.decline_code = "expired_card";
      break;
    default:
      break;
  }
  if (!intent.error_code.empty()) {
    intent.status = "requires_payment_method";
  } else if (capture) {
    intent.status = "succeeded";
    intent.amount_received = intent.amount;
  } else {
    intent.status = "requires_capture";
    intent.amount_capturable = intent.amount;
  }
  json::object record = intent_object(intent);
  record["type"] = "payment_intent";
  record["fingerprint"] = intent.fingerprint;
  record["brand"] = intent.brand;
  record["last4"] = intent.last4;
  record["error_code"] = intent.error_code;
  record["decline_code"] = intent.decline_code;
  record["metadata_json"] = intent.metadata_json;
  append(json::serialize(record));
  intent_by_key_[key] = intent.id;
  Answer answer = render_intent(intent);
  answer.lose_response = token->outcome == CardOutcome::kLostResponse;
  std::string object = intent_json(intent);
  answer.events.push_back(event_json(intent.status == "succeeded"          ? "payment_intent.succeeded"
                                     : intent.status == "requires_capture" ? "payment_intent.amount_capturable_updated"
                                                                           : "payment_intent.payment_failed",
                                     object));
  intents_[intent.id] = std::move(intent);
  return answer;
}

Answer Ledger::get_payment_intent(std::string_view id) const {
  std::lock_guard lock(mutex_);
  auto found = intents_.find(std::string(id));
  if (found == intents_.end()) {
    return error_answer(404, "invalid_request_error", "resource_missing", "No such payment_intent");
  }
  return {200, intent_json(found->second), false, {}};
}

Answer Ledger::find_payment_intent_by_key(std::string_view idempotency_key) const {
  std::lock_guard lock(mutex_);
  auto found = intent_by_key_.find(std::string(idempotency_key));
  if (found == intent_by_key_.end()) {
    return error_answer(404, "invalid_request_error", "resource_missing",
                        "No payment_intent was created with this idempotency key");
  }
  return {200, intent_json(intents_.at(found->second)), false, {}};
}

Answer Ledger::capture_payment_intent(std::string_view id, std::string_view body) {
  auto parsed = parse_body(body);
  if (!parsed) return invalid("parameter_invalid", parsed.status().message());
  auto requested = int_of(*parsed, "amount_to_capture");
  if (parsed->if_contains("amount_to_capture") && !requested) {
    return invalid("parameter_invalid", "amount_to_capture must be an integer", "amount_to_capture");
  }
  std::lock_guard lock(mutex_);
  auto found = intents_.find(std::string(id));
  if (found == intents_.end()) {
    return error_answer(404, "invalid_request_error", "resource_missing", "No such payment_intent");
  }
  PaymentIntent& intent = found->second;
  if (intent.status != "requires_capture") {
    return invalid("payment_intent_unexpected_state",
                   "this payment_intent is " + intent.status + "; only one that requires_capture can be captured");
  }
  int64_t amount = requested.value_or(intent.amount_capturable);
  if (amount < 1 || amount > intent.amount_capturable) {
    return invalid("amount_too_large", "amount_to_capture must be 1.." + std::to_string(intent.amount_capturable),
                   "amount_to_capture");
  }
  intent.status = "succeeded";
  intent.amount_received = amount;
  intent.amount_capturable = 0;
  append(json::serialize(json::object{{"type", "capture"}, {"id", intent.id}, {"amount", amount}}));
  Answer answer{200, intent_json(intent), false, {}};
  answer.events.push_back(event_json("payment_intent.succeeded", answer.body));
  return answer;
}

Answer Ledger::create_refund(std::string_view idempotency_key, std::string_view body) {
  if (Status key = check_key(idempotency_key); !key.is_ok()) {
    return invalid("idempotency_key_invalid", key.message(), "Idempotency-Key");
  }
  auto parsed = parse_body(body);
  if (!parsed) return invalid("parameter_invalid", parsed.status().message());
  std::string intent_id = text_of(*parsed, "payment_intent");
  if (intent_id.empty()) return invalid("parameter_missing", "payment_intent is required", "payment_intent");
  auto requested = int_of(*parsed, "amount");
  if (parsed->if_contains("amount") && (!requested || *requested < 1)) {
    return invalid("amount_invalid", "amount must be a positive integer (minor units)", "amount");
  }
  std::string fingerprint = intent_id + "|" + (requested ? std::to_string(*requested) : "rest");
  std::string key(idempotency_key);

  std::lock_guard lock(mutex_);
  if (intent_by_key_.count(key)) {
    return idempotency_error("this Idempotency-Key was used for a payment; use a new key for a refund");
  }
  if (auto found = refund_by_key_.find(key); found != refund_by_key_.end()) {
    const Refund& first = refunds_.at(found->second);
    if (first.fingerprint != fingerprint) {
      return idempotency_error("this Idempotency-Key was used with other parameters (payment_intent or amount)");
    }
    return {200, refund_json(first), false, {}};
  }
  if (objects() >= kObjectsMax) return error_answer(429, "rate_limit_error", "rate_limit", "the simulator is full");
  auto found = intents_.find(intent_id);
  if (found == intents_.end()) {
    return error_answer(404, "invalid_request_error", "resource_missing", "No such payment_intent", "payment_intent");
  }
  PaymentIntent& intent = found->second;
  if (intent.status != "succeeded") {
    return invalid("charge_not_captured", "this payment_intent is " + intent.status + "; nothing was captured");
  }
  int64_t refundable = intent.amount_received - intent.amount_refunded;
  if (refundable <= 0) return invalid("charge_already_refunded", "this payment was already refunded in full");
  int64_t amount = requested.value_or(refundable);
  if (amount > refundable) {
    return invalid("amount_too_large",
                   "a refund of " + std::to_string(amount) + " exceeds the " + std::to_string(refundable) +
                       " still refundable on this payment",
                   "amount");
  }
  Refund refund;
  refund.id = crypto::random_id("re_");
  refund.idempotency_key = key;
  refund.fingerprint = fingerprint;
  refund.payment_intent = intent.id;
  refund.amount = amount;
  refund.currency = intent.currency;
  refund.created_s = now_s(clock_);
  intent.amount_refunded += amount;
  json::object record = refund_object(refund);
  record["type"] = "refund";
  record["fingerprint"] = refund.fingerprint;
  append(json::serialize(record));
  refund_by_key_[key] = refund.id;
  Answer answer{200, refund_json(refund), false, {}};
  answer.events.push_back(event_json("refund.created", answer.body));
  refunds_[refund.id] = std::move(refund);
  return answer;
}

Answer Ledger::find_refund_by_key(std::string_view idempotency_key) const {
  std::lock_guard lock(mutex_);
  auto found = refund_by_key_.find(std::string(idempotency_key));
  if (found == refund_by_key_.end()) {
    return error_answer(404, "invalid_request_error", "resource_missing",
                        "No refund was created with this idempotency key");
  }
  return {200, refund_json(refunds_.at(found->second)), false, {}};
}

std::string Ledger::ledger_json() const {
  std::lock_guard lock(mutex_);
  json::array intents;
  for (const auto& [id, intent] : intents_) intents.push_back(intent_object(intent));
  json::array refunds;
  for (const auto& [id, refund] : refunds_) refunds.push_back(refund_object(refund));
  return json::serialize(json::object{{"payment_intents", std::move(intents)}, {"refunds", std::move(refunds)}});
}

std::vector<PaymentIntent> Ledger::payment_intents() const {
  std::lock_guard lock(mutex_);
  std::vector<PaymentIntent> out;
  for (const auto& [id, intent] : intents_) out.push_back(intent);
  return out;
}

std::vector<Refund> Ledger::refunds() const {
  std::lock_guard lock(mutex_);
  std::vector<Refund> out;
  for (const auto& [id, refund] : refunds_) out.push_back(refund);
  return out;
}

}  // namespace of::gatewaysim
