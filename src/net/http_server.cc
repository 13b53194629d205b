// HttpServer on Boost.Beast. This file and http_client.cc are the only places
// that include Beast (it costs ~100 s of compile time per file).
//
// Ownership and threads:
//  - ServerCore (shared) owns the io_context, the options, the handler and the
//    registry of connections. Connections and the Impl hold it by shared_ptr, so
//    the io_context outlives every socket, even a Responder kept by a handler
//    after the server is gone.
//  - Each Connection runs on its own strand; every member of Connection is
//    touched only on that strand. Responder and ResponseStream may be used from
//    any thread: they post to the strand through ServerCore::post_external,
//    which refuses once stop() has begun, so nothing is queued on an io_context
//    that no thread will run again.
//  - stop() closes the acceptor and every connection, then lets the I/O threads
//    run out of work and joins them.
#include "net/http_server.h"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/assert.h"
#include "base/log.h"

namespace of::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Strand = asio::strand<asio::io_context::executor_type>;

// How long a closing connection keeps reading (and discarding) what the client
// still sends, so that the final response is not destroyed by a TCP reset.
constexpr int64_t kLingerMsMax = 2'000;
// How long stop() waits for the I/O threads to run out of work before it
// forces the io_context to stop.
constexpr auto kStopDrainTimeout = std::chrono::seconds(5);
// Pause after an accept error such as EMFILE, so the loop does not spin.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);
constexpr std::size_t kIdleReadBytes = 4096;

std::string http_date() {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[40];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[utc.tm_wday % 7], utc.tm_mday,
                kMonths[utc.tm_mon % 12], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
  return text;
}

HttpResponse problem_response(int status, std::string_view slug, std::string_view title, std::string_view detail) {
  HttpResponse response;
  response.status = status;
  response.content_type = "application/problem+json";
  std::string& body = response.body;
  body += R"({"type":"https://orderflow.dev/problems/)";
  append_json_escaped(body, slug);
  body += R"(","title":")";
  append_json_escaped(body, title);
  body += R"(","status":)";
  body += std::to_string(status);
  body += R"(,"detail":")";
  append_json_escaped(body, detail);
  body += "\"}";
  return response;
}

bool is_valid_status(int status) { return status >= 100 && status <= 999; }

class Connection;

struct ServerCore {
  ServerCore(HttpServerOptions options_in, RequestHandler handler_in)
      : options(std::move(options_in)), handler(std::move(handler_in)) {}

  // Posts `function` to `executor` unless stop() has begun; returns whether it
  // was posted. Everything posted from outside the I/O threads goes through here.
  template <class Executor, class Function>
  bool post_external(const Executor& executor, Function&& function) {
    std::lock_guard lock(mutex);
    if (stopping) return false;
    asio::post(executor, std::forward<Function>(function));
    return true;
  }

  const HttpServerOptions options;
  const RequestHandler handler;
  asio::io_context io_context;
  std::atomic<int> active_connections{0};
  std::atomic<bool> stopping_flag{false};  // mirror of `stopping` for lock-free checks on I/O threads

  std::mutex mutex;
  bool stopping = false;  // guarded by mutex
  uint64_t next_connection_id = 1;  // guarded by mutex
  std::unordered_map<uint64_t, std::weak_ptr<Connection>> connections;  // guarded by mutex
};

// The shared state of one ResponseStream. Public methods run on any thread;
// the framing and socket writes happen on the connection's strand.
class StreamImpl final : public ResponseStream {
 public:
  StreamImpl(std::shared_ptr<Connection> connection, int64_t queued_bytes_max)
      : connection_(std::move(connection)), queued_bytes_max_(queued_bytes_max) {}
  ~StreamImpl() override;

  bool write(std::string chunk) override;
  void close() override;
  bool closed() const override { return closed_.load(); }
  void on_close(std::function<void()> callback) override;

  // On the strand: the stream ended (client gone, close() done, server stop).
  void mark_closed();
  // On the strand: `bytes` of chunk payload reached the socket.
  void on_written(int64_t bytes) {
    std::lock_guard lock(mutex_);
    queued_bytes_ -= bytes;
  }

 private:
  const std::shared_ptr<Connection> connection_;
  const int64_t queued_bytes_max_;
  std::atomic<bool> closed_{false};
  mutable std::mutex mutex_;
  int64_t queued_bytes_ = 0;           // guarded by mutex_
  bool ended_ = false;                 // guarded by mutex_: the connection side has ended
  std::function<void()> on_close_;     // guarded by mutex_
  bool on_close_called_ = false;       // guarded by mutex_
};

class ResponderImpl final : public Responder {
 public:
  explicit ResponderImpl(std::shared_ptr<Connection> connection) : connection_(std::move(connection)) {}
  ~ResponderImpl() override;
  void respond(HttpResponse response) override;
  std::shared_ptr<ResponseStream> start_stream(HttpResponse head) override;

 private:
  const std::shared_ptr<Connection> connection_;
  std::atomic<bool> used_{false};
};

// One accepted TCP connection. All members are used only on strand_ (the
// stream's executor), except the constant ones.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<ServerCore> core, tcp::socket socket, uint64_t id, std::string remote_address,
             bool counted)
      : core_(std::move(core)),
        executor_(socket.get_executor()),
        stream_(std::move(socket)),
        id_(id),
        remote_address_(std::move(remote_address)),
        counted_(counted) {}

  ServerCore& core() { return *core_; }
  // The connection's strand; safe to call from any thread.
  const asio::any_io_executor& executor() const { return executor_; }

  void start() { read_request(); }
  // Answers 503 (connections_max reached) and closes.
  void start_rejected() {
    keep_alive_ = false;
    write_response(problem_response(503, "too-many-connections", "Service Unavailable",
                                    "the server has reached its connection limit"));
  }

  void write_response(HttpResponse response);
  void begin_stream(const std::shared_ptr<StreamImpl>& stream, HttpResponse head);
  void stream_enqueue(std::string chunk);
  void stream_finish();
  void close();

 private:
  void read_request();
  void read_header();
  void on_header(beast::error_code ec);
  void read_body();
  void on_read_error(beast::error_code ec);
  void dispatch_request();
  void on_response_written(beast::error_code ec);
  void close_gracefully();
  void drain();
  void kick_stream_write();
  void read_while_streaming();

  const std::shared_ptr<ServerCore> core_;  // first: outlives stream_ and its io_context
  const asio::any_io_executor executor_;
  beast::tcp_stream stream_;
  const uint64_t id_;
  const std::string remote_address_;
  const bool counted_;

  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> response_;
  bool keep_alive_ = true;
  unsigned request_version_ = 11;
  bool head_request_ = false;
  bool closed_ = false;
  std::array<char, 1024> discard_{};

  // Streaming state.
  // Weak: the user's handle owns the stream; dropping it finishes the stream.
  std::weak_ptr<StreamImpl> stream_state_;
  std::string stream_pending_;      // framed bytes not yet handed to the socket
  int64_t stream_pending_payload_bytes_ = 0;
  std::string stream_in_flight_;    // framed bytes being written
  int64_t stream_in_flight_payload_bytes_ = 0;
  bool stream_writing_ = false;
  bool stream_finishing_ = false;   // the final zero chunk is queued
};

// ---- StreamImpl ---------------------------------------------------------------

StreamImpl::~StreamImpl() {
  // Nobody can write to a stream whose last handle is gone: finish it so the
  // client sees the end instead of waiting forever.
  if (!closed_.load()) {
    auto connection = connection_;
    connection->core().post_external(connection->executor(), [connection] { connection->stream_finish(); });
  }
}

bool StreamImpl::write(std::string chunk) {
  if (chunk.empty()) return !closed_.load();  // an empty chunk would end the chunked body
  std::lock_guard lock(mutex_);
  if (closed_.load()) return false;
  queued_bytes_ += static_cast<int64_t>(chunk.size());
  auto connection = connection_;
  if (queued_bytes_ > queued_bytes_max_) {
    // The client does not keep up: cut it off instead of buffering without bound.
    closed_.store(true);
    connection->core().post_external(connection->executor(), [connection] { connection->close(); });
    return false;
  }
  // Posting under mutex_ keeps chunks and the final close() in the caller's order.
  bool posted = connection->core().post_external(
      connection->executor(), [connection, chunk = std::move(chunk)]() mutable {
        connection->stream_enqueue(std::move(chunk));
      });
  if (!posted) closed_.store(true);
  return posted;
}

void StreamImpl::close() {
  std::lock_guard lock(mutex_);
  if (closed_.exchange(true)) return;
  auto connection = connection_;
  connection->core().post_external(connection->executor(), [connection] { connection->stream_finish(); });
}

void StreamImpl::on_close(std::function<void()> callback) {
  std::unique_lock lock(mutex_);
  if (ended_ && !on_close_called_) {
    // The stream ended before the callback was set: call it now, once.
    on_close_called_ = true;
    lock.unlock();
    if (callback) callback();
    return;
  }
  if (!on_close_called_) on_close_ = std::move(callback);
}

void StreamImpl::mark_closed() {
  std::function<void()> callback;
  {
    std::lock_guard lock(mutex_);
    closed_.store(true);
    if (ended_) return;
    ended_ = true;
    if (on_close_ && !on_close_called_) {
      on_close_called_ = true;
      callback = std::move(on_close_);
    }
  }
  if (callback) {
    try {
      callback();
    } catch (const std::exception& e) {
      OF_LOG_ERROR("http: stream on_close callback threw: {}", e.what());
    }
  }
}

// ---- ResponderImpl ------------------------------------------------------------

ResponderImpl::~ResponderImpl() {
  if (used_.load()) return;
  auto connection = connection_;
  if (connection->core().stopping_flag.load()) return;  // nobody left to answer
  // A handler dropped its Responder without answering: a bug, but the client
  // must not hang.
  OF_LOG_ERROR("http: request handler dropped its responder without responding");
  auto response = problem_response(500, "internal", "Internal Server Error", "the request was not answered");
  connection->core().post_external(connection->executor(), [connection, response = std::move(response)]() mutable {
    connection->write_response(std::move(response));
  });
}

void ResponderImpl::respond(HttpResponse response) {
  OF_ASSERT_MSG(!used_.exchange(true), "Responder used twice: respond() or start_stream() must be called once");
  auto connection = connection_;
  connection->core().post_external(connection->executor(), [connection, response = std::move(response)]() mutable {
    connection->write_response(std::move(response));
  });
}

std::shared_ptr<ResponseStream> ResponderImpl::start_stream(HttpResponse head) {
  OF_ASSERT_MSG(!used_.exchange(true), "Responder used twice: respond() or start_stream() must be called once");
  auto connection = connection_;
  auto stream = std::make_shared<StreamImpl>(connection, connection->core().options.stream_queued_bytes_max);
  bool posted = connection->core().post_external(connection->executor(),
                                                 [connection, stream, head = std::move(head)]() mutable {
                                                   connection->begin_stream(stream, std::move(head));
                                                 });
  if (!posted) stream->mark_closed();
  return stream;
}

// ---- Connection: requests -----------------------------------------------------

void Connection::read_request() {
  if (closed_) return;
  if (core_->stopping_flag.load()) return close();
  parser_.emplace();
  parser_->body_limit(static_cast<std::uint64_t>(core_->options.body_bytes_max));
  parser_->header_limit(static_cast<std::uint32_t>(core_->options.header_bytes_max));
  if (buffer_.size() > 0) return read_header();  // a pipelined request is already here
  // Between requests the idle timeout applies; once bytes arrive, the request timeout.
  stream_.expires_after(std::chrono::milliseconds(core_->options.idle_timeout_ms));
  stream_.async_read_some(buffer_.prepare(kIdleReadBytes),
                          [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
                            if (self->closed_) return;
                            if (ec) return self->close();  // idle timeout, or the client went away
                            self->buffer_.commit(bytes);
                            self->read_header();
                          });
}

void Connection::read_header() {
  stream_.expires_after(std::chrono::milliseconds(core_->options.request_timeout_ms));
  http::async_read_header(stream_, buffer_, *parser_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
}

void Connection::on_header(beast::error_code ec) {
  if (closed_) return;
  if (ec) return on_read_error(ec);
  auto& message = parser_->get();
  if (beast::iequals(message[http::field::expect], "100-continue") && !parser_->is_done()) {
    static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    asio::async_write(stream_, asio::buffer(kContinue), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (self->closed_) return;
      if (ec) return self->close();
      self->read_body();
    });
    return;
  }
  read_body();
}

void Connection::read_body() {
  if (parser_->is_done()) return dispatch_request();
  http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (self->closed_) return;
    if (ec) return self->on_read_error(ec);
    self->dispatch_request();
  });
}

void Connection::on_read_error(beast::error_code ec) {
  keep_alive_ = false;
  if (ec == http::error::body_limit) {
    return write_response(problem_response(
        413, "body-too-large", "Payload Too Large",
        "the request body exceeds the limit of " + std::to_string(core_->options.body_bytes_max) + " bytes"));
  }
  if (ec == http::error::header_limit) {
    return write_response(problem_response(
        400, "header-too-large", "Bad Request",
        "the request header exceeds the limit of " + std::to_string(core_->options.header_bytes_max) + " bytes"));
  }
  bool parse_error = ec.category() == http::make_error_code(http::error::bad_method).category() &&
                     ec != http::error::end_of_stream && ec != http::error::partial_message &&
                     ec != http::error::short_read;
  if (parse_error) {
    return write_response(problem_response(400, "malformed-request", "Bad Request",
                                           "the request is not valid HTTP/1.1: " + ec.message()));
  }
  // The client went away, or the request timed out: nobody to answer.
  close();
}

void Connection::dispatch_request() {
  if (core_->stopping_flag.load()) return close();
  auto& message = parser_->get();
  HttpRequest request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  std::string_view target = request.target;
  std::size_t question = target.find('?');
  request.path = percent_decode(target.substr(0, question));
  if (question != std::string_view::npos) request.query = std::string(target.substr(question + 1));
  for (const auto& field : message) {
    request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  request.body = std::move(message.body());
  request.remote_address = remote_address_;
  keep_alive_ = message.keep_alive();
  request_version_ = message.version() == 10 ? 10 : 11;
  head_request_ = message.method() == http::verb::head;
  parser_.reset();

  // No timeout runs while the handler works; the write sets its own.
  stream_.expires_never();
  auto responder = std::make_shared<ResponderImpl>(shared_from_this());
  try {
    core_->handler(std::move(request), std::move(responder));
  } catch (const std::exception& e) {
    // The Responder, if dropped unanswered, answers 500 from its destructor.
    OF_LOG_ERROR("http: request handler threw: {}", e.what());
  } catch (...) {
    OF_LOG_ERROR("http: request handler threw a non-exception");
  }
}

void Connection::write_response(HttpResponse response) {
  if (closed_) return;
  if (!is_valid_status(response.status)) {
    OF_LOG_ERROR("http: handler answered with invalid status {}", response.status);
    response = problem_response(500, "internal", "Internal Server Error", "the handler produced an invalid status");
  }
  if (core_->stopping_flag.load()) keep_alive_ = false;
  auto& message = response_.emplace();
  // An HTTP/1.0 client gets a 1.0 response, so keep-alive is spelled out for it.
  message.version(request_version_);
  message.result(static_cast<unsigned>(response.status));
  message.set(http::field::server, "orderflow");
  message.set(http::field::date, http_date());
  if (!response.content_type.empty() && find_header(response.headers, "Content-Type").empty()) {
    message.set(http::field::content_type, response.content_type);
  }
  for (auto& [name, value] : response.headers) message.insert(name, value);
  bool bodiless_status = response.status / 100 == 1 || response.status == 204 || response.status == 304;
  if (!bodiless_status) {
    message.content_length(response.body.size());
    if (!head_request_) message.body() = std::move(response.body);
  }
  message.keep_alive(keep_alive_);

  stream_.expires_after(std::chrono::milliseconds(core_->options.request_timeout_ms));
  http::async_write(stream_, message, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    self->on_response_written(ec);
  });
}

void Connection::on_response_written(beast::error_code ec) {
  response_.reset();
  if (closed_) return;
  if (ec) return close();
  if (!keep_alive_) return close_gracefully();
  read_request();
}

// Half-closes, then reads and discards until the client closes or the linger
// time passes: closing with unread input would reset the connection and could
// destroy the response (a 413 sent before the client finished its body).
void Connection::close_gracefully() {
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) return close();
  stream_.expires_after(std::chrono::milliseconds(std::min(kLingerMsMax, core_->options.request_timeout_ms)));
  drain();
}

void Connection::drain() {
  stream_.async_read_some(asio::buffer(discard_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (self->closed_) return;
    if (ec) return self->close();
    self->drain();
  });
}

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.close();
  if (counted_) core_->active_connections.fetch_sub(1);
  {
    std::lock_guard lock(core_->mutex);
    core_->connections.erase(id_);
  }
  if (auto stream = stream_state_.lock()) stream->mark_closed();
}

// ---- Connection: streams ------------------------------------------------------

void Connection::begin_stream(const std::shared_ptr<StreamImpl>& stream, HttpResponse head) {
  stream_state_ = stream;
  if (closed_) return stream->mark_closed();
  if (!is_valid_status(head.status)) {
    OF_LOG_ERROR("http: stream opened with invalid status {}", head.status);
    head.status = 500;
  }
  std::string& out = stream_pending_;
  out += "HTTP/1.1 ";
  out += std::to_string(head.status);
  out += ' ';
  out += std::string(http::obsolete_reason(http::int_to_status(static_cast<unsigned>(head.status))));
  out += "\r\nServer: orderflow\r\nDate: ";
  out += http_date();
  out += "\r\n";
  if (!head.content_type.empty() && find_header(head.headers, "Content-Type").empty()) {
    out += "Content-Type: " + head.content_type + "\r\n";
  }
  for (const auto& [name, value] : head.headers) out += name + ": " + value + "\r\n";
  // The connection is not reused after a stream.
  out += "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";

  // Writes have no timeout here: the queue bound cuts off a client that does not read.
  stream_.expires_never();
  kick_stream_write();
  read_while_streaming();
}

void Connection::stream_enqueue(std::string chunk) {
  if (closed_ || stream_finishing_) {
    if (auto stream = stream_state_.lock()) stream->on_written(static_cast<int64_t>(chunk.size()));
    return;
  }
  char size_line[24];
  int length = std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
  stream_pending_.append(size_line, static_cast<std::size_t>(length));
  stream_pending_ += chunk;
  stream_pending_ += "\r\n";
  stream_pending_payload_bytes_ += static_cast<int64_t>(chunk.size());
  kick_stream_write();
}

void Connection::stream_finish() {
  if (closed_ || stream_finishing_) return;
  stream_finishing_ = true;
  stream_pending_ += "0\r\n\r\n";
  kick_stream_write();
}

void Connection::kick_stream_write() {
  if (closed_ || stream_writing_) return;
  if (stream_pending_.empty()) {
    if (stream_finishing_) {
      // Everything including the final chunk is out: end the stream.
      if (auto stream = stream_state_.lock()) stream->mark_closed();
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      close();
    }
    return;
  }
  stream_writing_ = true;
  stream_in_flight_.swap(stream_pending_);
  stream_pending_.clear();
  stream_in_flight_payload_bytes_ = stream_pending_payload_bytes_;
  stream_pending_payload_bytes_ = 0;
  asio::async_write(stream_, asio::buffer(stream_in_flight_),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->stream_writing_ = false;
                      if (auto stream = self->stream_state_.lock()) {
                        stream->on_written(self->stream_in_flight_payload_bytes_);
                      }
                      self->stream_in_flight_payload_bytes_ = 0;
                      self->stream_in_flight_.clear();
                      if (self->closed_) return;
                      if (ec) return self->close();
                      self->kick_stream_write();
                    });
}

// Keeps a read pending for the whole stream so a client that goes away is
// noticed at once rather than at the next write.
void Connection::read_while_streaming() {
  stream_.async_read_some(asio::buffer(discard_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (self->closed_) return;
    if (ec) return self->close();
    self->read_while_streaming();  // a streaming client has nothing to say: discard
  });
}

}  // namespace

// ---- HttpServer ---------------------------------------------------------------

class HttpServer::Impl {
 public:
  Impl(HttpServerOptions options, RequestHandler handler)
      : core_(std::make_shared<ServerCore>(std::move(options), std::move(handler))),
        acceptor_(asio::make_strand(core_->io_context)),
        accept_retry_timer_(acceptor_.get_executor()) {}

  ~Impl() { stop(); }

  Status start() {
    std::lock_guard lock(lifecycle_mutex_);
    OF_ASSERT_MSG(!started_, "HttpServer::start() called twice");
    const auto& options = core_->options;
    if (options.io_threads < 1) return Status::invalid("http server: io_threads must be at least 1");
    beast::error_code ec;
    auto address = asio::ip::make_address(options.address, ec);
    if (ec) return Status::invalid("http server: invalid listen address '" + options.address + "': " + ec.message());
    tcp::endpoint endpoint(address, options.port);
    std::string where = options.address + ":" + std::to_string(options.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      beast::error_code ignored;
      acceptor_.close(ignored);
      return Status::unavailable("http server: cannot listen on " + where + ": " + ec.message());
    }
    port_ = acceptor_.local_endpoint(ec).port();
    started_ = true;
    work_guard_.emplace(core_->io_context.get_executor());
    do_accept();
    threads_running_ = options.io_threads;
    for (int i = 0; i < options.io_threads; ++i) threads_.emplace_back([this] { run_io_thread(); });
    OF_LOG_INFO("http server listening on {}:{} io_threads={}", options.address, port_, options.io_threads);
    return Status::ok();
  }

  uint16_t port() const { return port_; }

  int active_connections() const { return core_->active_connections.load(); }

  void stop() {
    OF_ASSERT_MSG(!core_->io_context.get_executor().running_in_this_thread(),
                  "HttpServer::stop() called from an I/O thread (a handler): it would join itself");
    std::lock_guard lock(lifecycle_mutex_);
    if (!started_ || stopped_) return;
    stopped_ = true;
    std::vector<std::shared_ptr<Connection>> connections;
    {
      std::lock_guard core_lock(core_->mutex);
      core_->stopping = true;
      core_->stopping_flag.store(true);
      for (auto& [id, weak] : core_->connections) {
        if (auto connection = weak.lock()) connections.push_back(std::move(connection));
      }
    }
    // Internal posts: the gate in post_external is closed for everyone else now.
    asio::post(acceptor_.get_executor(), [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
      accept_retry_timer_.cancel();
    });
    for (auto& connection : connections) {
      asio::post(connection->executor(), [connection] { connection->close(); });
    }
    connections.clear();
    work_guard_.reset();
    {
      // Closed sockets and timers leave the threads without work; wait for that.
      std::unique_lock threads_lock(threads_mutex_);
      if (!threads_done_.wait_for(threads_lock, kStopDrainTimeout, [this] { return threads_running_ == 0; })) {
        OF_LOG_WARN("http server: I/O threads did not finish in time; stopping the io_context");
        core_->io_context.stop();
      }
    }
    for (auto& thread : threads_) thread.join();
    threads_.clear();
    if (core_->io_context.stopped()) {
      // Run what is left (if the forced stop cut anything short), so no handler
      // stays queued holding a connection that holds the io_context.
      core_->io_context.restart();
      for (int round = 0; round < 100 && core_->io_context.poll() > 0; ++round) {
      }
    }
    OF_LOG_INFO("http server on port {} stopped", port_);
  }

 private:
  void run_io_thread() {
    for (;;) {
      try {
        core_->io_context.run();
        break;
      } catch (const std::exception& e) {
        OF_LOG_ERROR("http server: exception escaped an I/O handler: {}", e.what());
      }
    }
    std::lock_guard lock(threads_mutex_);
    --threads_running_;
    threads_done_.notify_all();
  }

  void do_accept() {
    acceptor_.async_accept(asio::make_strand(core_->io_context),
                           [this](beast::error_code ec, tcp::socket socket) { on_accept(ec, std::move(socket)); });
  }

  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (!acceptor_.is_open() || ec == asio::error::operation_aborted) return;
    if (ec) {
      // Typically EMFILE: back off briefly rather than spin.
      OF_LOG_WARN("http server: accept failed: {}", ec.message());
      accept_retry_timer_.expires_after(kAcceptRetryDelay);
      accept_retry_timer_.async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec && acceptor_.is_open()) do_accept();
      });
      return;
    }
    beast::error_code option_ec;
    socket.set_option(tcp::no_delay(true), option_ec);
    auto remote = socket.remote_endpoint(option_ec);
    std::string remote_address = option_ec ? std::string() : remote.address().to_string();

    bool over_limit = core_->active_connections.load() >= core_->options.connections_max;
    std::shared_ptr<Connection> connection;
    {
      std::lock_guard lock(core_->mutex);
      if (core_->stopping) return;  // the socket closes as it goes out of scope
      uint64_t id = core_->next_connection_id++;
      connection = std::make_shared<Connection>(core_, std::move(socket), id, std::move(remote_address), !over_limit);
      core_->connections.emplace(id, connection);
      // Counted under the lock: stop() may close this connection right after it.
      if (!over_limit) core_->active_connections.fetch_add(1);
    }
    if (over_limit) {
      asio::post(connection->executor(), [connection] { connection->start_rejected(); });
    } else {
      asio::post(connection->executor(), [connection] { connection->start(); });
    }
    do_accept();
  }

  const std::shared_ptr<ServerCore> core_;  // first: the io_context outlives the acceptor
  tcp::acceptor acceptor_;
  asio::steady_timer accept_retry_timer_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_guard_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;

  std::mutex lifecycle_mutex_;
  bool started_ = false;
  bool stopped_ = false;

  std::mutex threads_mutex_;
  std::condition_variable threads_done_;
  int threads_running_ = 0;  // guarded by threads_mutex_
};

HttpServer::HttpServer(HttpServerOptions options, RequestHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() = default;

Status HttpServer::start() { return impl_->start(); }

uint16_t HttpServer::port() const { return impl_->port(); }

void HttpServer::stop() { impl_->stop(); }

int HttpServer::active_connections() const { return impl_->active_connections(); }

}  // namespace of::net
