#include "providers/simulated_gateway.h"

#include <boost/json.hpp>

#include <chrono>
#include <fstream>
#include <thread>

namespace of::providers {

using services::GatewayResult;

SimulatedGateway::SimulatedGateway(Random& random, SimulatedGatewayOptions options)
    : random_(random), options_(std::move(options)) {
  if (options_.ledger_path.empty()) return;
  load_ledger();
  ledger_file_ = std::fopen(options_.ledger_path.c_str(), "a");
}

// A real gateway remembers its idempotency keys across our restarts; so does
// the simulator, by replaying its ledger file.
void SimulatedGateway::load_ledger() {
  std::ifstream file(options_.ledger_path);
  std::string line;
  while (std::getline(file, line)) {
    boost::system::error_code error;
    auto value = boost::json::parse(line, error);
    if (error || !value.is_object()) continue;  // a torn last line from a crash
    const auto& object = value.as_object();
    auto text = [&object](std::string_view key) {
      auto* member = object.if_contains(key);
      return member && member->is_string() ? std::string(member->as_string()) : std::string();
    };
    auto* amount = object.if_contains("amount");
    int64_t amount_minor = amount && amount->is_int64() ? amount->as_int64() : 0;
    std::string key = text("idempotencyKey");
    if (text("kind") == "charge") {
      auto* approved_value = object.if_contains("approved");
      bool approved = approved_value && approved_value->is_bool() && approved_value->as_bool();
      GatewayResult result;
      result.outcome = approved ? GatewayResult::Outcome::kApproved : GatewayResult::Outcome::kDeclined;
      result.reference = text("reference");
      result.decline_code = text("declineCode");
      charges_[key] = result;
      LedgerEntry& entry = ledger_[key];
      entry.order_id = text("orderId");
      entry.amount_minor = amount_minor;
      entry.approved = approved;
      entry.calls = 1;
    } else if (text("kind") == "refund") {
      refunds_[key] = {GatewayResult::Outcome::kApproved, text("reference"), {}, {}};
      for (auto& [charge_key, entry] : ledger_) {
        if (entry.order_id == text("orderId")) entry.refunded_minor += amount_minor;
      }
    }
  }
}

SimulatedGateway::~SimulatedGateway() {
  if (ledger_file_) std::fclose(ledger_file_);
}

void SimulatedGateway::record(const std::string& line) {
  if (!ledger_file_) return;
  std::fputs(line.c_str(), ledger_file_);
  std::fputc('\n', ledger_file_);
  std::fflush(ledger_file_);
}

void SimulatedGateway::simulate_latency() const {
  if (options_.latency_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(options_.latency_ms));
}

GatewayResult SimulatedGateway::charge(const services::ChargeRequest& request) {
  simulate_latency();
  if (request.payment_token == "tok_processing_error" ||
      (options_.transient_error_rate > 0 && random_.unit() < options_.transient_error_rate)) {
    return {GatewayResult::Outcome::kTransientError, {}, {}, "simulated processing error"};
  }
  std::lock_guard lock(mutex_);
  ++charge_calls_;
  auto found = charges_.find(request.idempotency_key);
  if (found != charges_.end()) {
    ++ledger_[request.idempotency_key].calls;
    return found->second;
  }
  GatewayResult result;
  if (request.payment_token == "tok_decline" || request.payment_token == "tok_chargeDeclined") {
    result = {GatewayResult::Outcome::kDeclined, {}, "card_declined", "the card was declined"};
  } else if (request.payment_token == "tok_insufficient_funds") {
    result = {GatewayResult::Outcome::kDeclined, {}, "insufficient_funds", "insufficient funds"};
  } else if (request.payment_token == "tok_expired") {
    result = {GatewayResult::Outcome::kDeclined, {}, "expired_card", "the card has expired"};
  } else if (options_.decline_rate > 0 && random_.unit() < options_.decline_rate) {
    result = {GatewayResult::Outcome::kDeclined, {}, "card_declined", "the card was declined"};
  } else {
    result = {GatewayResult::Outcome::kApproved, "ch_" + request.idempotency_key, {}, {}};
  }
  charges_[request.idempotency_key] = result;
  LedgerEntry& entry = ledger_[request.idempotency_key];
  entry.order_id = request.order_id.str();
  entry.amount_minor = request.amount_minor;
  entry.approved = result.outcome == GatewayResult::Outcome::kApproved;
  entry.calls = 1;
  record("{\"kind\":\"charge\",\"idempotencyKey\":\"" + request.idempotency_key + "\",\"orderId\":\"" +
         request.order_id.str() + "\",\"amount\":" + std::to_string(request.amount_minor) + ",\"approved\":" +
         (entry.approved ? "true" : "false") + ",\"reference\":\"" + result.reference + "\",\"declineCode\":\"" +
         result.decline_code + "\"}");
  return result;
}

GatewayResult SimulatedGateway::refund(const services::RefundRequest& request) {
  simulate_latency();
  std::lock_guard lock(mutex_);
  auto found = refunds_.find(request.idempotency_key);
  if (found != refunds_.end()) return found->second;
  for (auto& [key, entry] : ledger_) {
    auto charge = charges_.find(key);
    if (charge == charges_.end() || charge->second.reference != request.charge_reference) continue;
    if (!entry.approved || entry.refunded_minor + request.amount_minor > entry.amount_minor) {
      return {GatewayResult::Outcome::kDeclined, {}, "refund_exceeds_charge", "refund exceeds the charge"};
    }
    entry.refunded_minor += request.amount_minor;
    GatewayResult result{GatewayResult::Outcome::kApproved, "re_" + request.idempotency_key, {}, {}};
    refunds_[request.idempotency_key] = result;
    record("{\"kind\":\"refund\",\"idempotencyKey\":\"" + request.idempotency_key + "\",\"orderId\":\"" +
           entry.order_id + "\",\"amount\":" + std::to_string(request.amount_minor) + ",\"reference\":\"" +
           result.reference + "\"}");
    return result;
  }
  return {GatewayResult::Outcome::kDeclined, {}, "no_such_charge", "no charge " + request.charge_reference};
}

std::map<std::string, int> SimulatedGateway::approved_charges_by_order() const {
  std::lock_guard lock(mutex_);
  std::map<std::string, int> counts;
  for (const auto& [key, entry] : ledger_) {
    if (entry.approved) ++counts[entry.order_id];
  }
  return counts;
}

int64_t SimulatedGateway::charge_calls() const {
  std::lock_guard lock(mutex_);
  return charge_calls_;
}

}  // namespace of::providers
