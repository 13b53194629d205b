// GatewaySim: the payment gateway simulator served over HTTP, run by
// `orderflow gateway-sim` as its own process (and in-process by tests).
//
// Routes (JSON bodies; see ledger.h for their semantics and test cards):
//   POST /v1/tokens                      card number, expiry, CVC -> token and last4
//   POST /v1/payment_intents             create and confirm (Idempotency-Key required)
//   GET  /v1/payment_intents?idempotency_key=K   the intent created with that key, or 404
//   GET  /v1/payment_intents/{id}
//   POST /v1/payment_intents/{id}/capture
//   POST /v1/refunds                     partial or full, never above what was captured
//   GET  /v1/refunds?idempotency_key=K
//   GET  /admin/faults, POST /admin/faults   read or change the fault settings
//                                        (GET adds "injected": counts of faults since start)
//   GET  /admin/ledger                   every payment intent and refund
//
// Faults apply to /v1 routes only, decided per request: `error_rate` answers
// 500 without doing anything; `timeout_rate` holds the request for
// `timeout_hold_ms` and then answers 504 (half of the held POSTs were
// processed first, so a client that timed out cannot know); a processed POST
// that the card marks "lost_response", or that falls in `lost_response_rate`,
// is recorded but its answer is lost after `lost_response_delay_ms` (the
// connection is dropped mid-response, or 500 is answered, half each). Every
// answer is delayed by a uniform latency in [latency_ms_min, latency_ms_max];
// delays run on a timer thread, never on an I/O thread.
//
// Webhooks: when a webhook URL is set, every payment and refund event is POSTed
// there with "Gateway-Signature: t=..,v1=.." (crypto/signature.h) by one
// sender thread, best effort: kWebhookAttemptsMax attempts with backoff, and a
// queue of kWebhookQueueMax events (the oldest is dropped beyond it).
// Thread-safe; start() and stop() from one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"

namespace of::gatewaysim {

inline constexpr int kWebhookAttemptsMax = 4;
inline constexpr size_t kWebhookQueueMax = 10'000;
inline constexpr size_t kDelayedAnswersMax = 100'000;  // beyond it answers go out undelayed

struct FaultOptions {
  int64_t latency_ms_min = 0;
  int64_t latency_ms_max = 0;
  double error_rate = 0.0;          // 0..1 of /v1 requests: 500, nothing done
  double timeout_rate = 0.0;        // 0..1 of /v1 requests: held, then 504
  double lost_response_rate = 0.0;  // 0..1 of processed POSTs: done, answer lost
  int64_t timeout_hold_ms = 30'000;
  int64_t lost_response_delay_ms = 100;
};

// Checks bounds (rates 0..1, delays 0..600000 ms, min <= max).
Status validate(const FaultOptions& faults);

struct GatewaySimOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8090;  // 0: any free port (tests)
  std::string data_dir;  // empty: the ledger lives in memory only
  int io_threads = 2;
  FaultOptions faults;
  std::string webhook_url;     // empty: no webhooks
  std::string webhook_secret;  // required with webhook_url
  uint64_t seed = 0;           // fault decisions; 0: from the OS
};

class GatewaySim {
 public:
  explicit GatewaySim(GatewaySimOptions options);
  ~GatewaySim();
  GatewaySim(const GatewaySim&) = delete;
  GatewaySim& operator=(const GatewaySim&) = delete;

  Status start();
  uint16_t port() const;
  void stop();
  void set_faults(const FaultOptions& faults);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Runs a simulator until SIGINT or SIGTERM (blocks those signals itself);
// returns the process exit code.
int run_gateway_sim_until_signal(const GatewaySimOptions& options);

// "N" or "A..B" (milliseconds) into latency_ms_min/max.
Status parse_latency(const std::string& text, FaultOptions& faults);

}  // namespace of::gatewaysim
