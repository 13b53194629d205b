// HttpClient: a small blocking HTTP/1.1 client for orderflow's tools and tests
// (the load generator, end-to-end tests). One client owns one keep-alive
// connection to one host and port and reconnects when the server closes it.
// Not thread-safe: use one client per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/status.h"
#include "net/http.h"

namespace of::net {

struct HttpClientOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  int64_t connect_timeout_ms = 5'000;
  int64_t request_timeout_ms = 30'000;
};

struct ClientResponse {
  int status = 0;
  Headers headers;
  std::string body;
  std::string_view header(std::string_view name) const { return find_header(headers, name); }
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // kUnavailable on connection failure or timeout (the request may or may not
  // have reached the server).
  Result<ClientResponse> request(std::string_view method, std::string_view target, std::string_view body = {},
                                 const Headers& headers = {});
  Result<ClientResponse> get(std::string_view target) { return request("GET", target); }
  Result<ClientResponse> post(std::string_view target, std::string_view body) {
    return request("POST", target, body);
  }
  Result<ClientResponse> put(std::string_view target, std::string_view body) { return request("PUT", target, body); }

  // Opens a streaming GET (Server-Sent Events) on its own connection and calls
  // on_event(id, event, data) for each event until on_event returns false, the
  // server closes, or timeout_ms passes. Returns the response status line's code
  // through *status when not null.
  Status stream_events(std::string_view target, const Headers& headers, int64_t timeout_ms,
                       const std::function<bool(const std::string& id, const std::string& event,
                                                const std::string& data)>& on_event,
                       int* status = nullptr);

  void close();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace of::net
