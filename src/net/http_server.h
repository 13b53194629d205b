// HttpServer: orderflow's HTTP/1.1 server (Boost.Beast inside, not in this header).
//
// Keep-alive connections on a pool of I/O threads. Each complete request is
// handed to the RequestHandler on an I/O thread; the handler answers through
// the Responder exactly once, from any thread, now or later (a POST that waits
// for a durable commit answers from the store's writer thread). A handler may
// instead open a stream (Server-Sent Events): the head goes out with chunked
// transfer encoding and the handler writes chunks until it or the client closes.
//
// Limits (all in Options): body size (413), header size, idle keep-alive
// timeout, read timeout for a request in progress, max connections (503 when
// hit). Errors in the handler never take the server down.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/status.h"
#include "net/http.h"

namespace of::net {

// An open response stream (SSE). Thread-safe. write() queues a chunk and returns
// false once the stream is closed; chunks queued beyond max_queued_bytes close
// the stream (a client that does not read is cut off rather than buffered
// without bound).
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  virtual bool write(std::string chunk) = 0;
  virtual void close() = 0;
  virtual bool closed() const = 0;
  // Called once when the stream closes for any reason (client gone, close(),
  // server stop). Set it right after start_stream(); it may run on any thread.
  virtual void on_close(std::function<void()> callback) = 0;
};

class Responder {
 public:
  virtual ~Responder() = default;
  virtual void respond(HttpResponse response) = 0;
  // Sends `head` (status, content type, headers; body ignored) and keeps the
  // connection for streaming. The connection is not reused after the stream.
  virtual std::shared_ptr<ResponseStream> start_stream(HttpResponse head) = 0;
};

using RequestHandler = std::function<void(HttpRequest request, std::shared_ptr<Responder> responder)>;

struct HttpServerOptions {
  std::string address = "0.0.0.0";
  uint16_t port = 8080;  // 0: pick a free port (tests)
  int io_threads = 2;
  int64_t body_bytes_max = 1 << 20;
  int64_t header_bytes_max = 16 << 10;
  int64_t idle_timeout_ms = 60'000;
  int64_t request_timeout_ms = 30'000;
  int connections_max = 10'000;
  int64_t stream_queued_bytes_max = 1 << 20;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, RequestHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the I/O threads. kUnavailable if the port is taken.
  Status start();
  // The bound port (useful with port 0). Valid after start().
  uint16_t port() const;
  // Stops accepting, closes connections and streams, joins the threads. Idempotent.
  void stop();
  int active_connections() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace of::net
