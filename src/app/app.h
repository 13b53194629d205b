// App: the composition root. The only place that names concrete adapters
// (SQLite store, embedded bus, simulated gateway and carrier, log channel) and
// wires them to the services and the HTTP API.
//
// start() opens the store (migrating it), loads the demo catalog into an empty
// store when configured, registers every subscription and job kind, and starts
// the bus, the job runner and the HTTP server; stop() undoes it in reverse
// order, finishing in-flight work. One App per process (or per test).
#pragma once

#include <memory>

#include "app/config.h"
#include "base/status.h"

namespace of::app {

class App {
 public:
  explicit App(Config config);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  Status start();
  void stop();
  uint16_t http_port() const;
  // Blocks until SIGINT or SIGTERM, then stops. Returns the exit code.
  int run_until_signal();

 private:
  struct Parts;
  Config config_;
  std::unique_ptr<Parts> parts_;
};


}  // namespace of::app
