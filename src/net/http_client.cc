// HttpClient on Boost.Beast. Blocking calls are async operations run to
// completion on the client's own io_context, so that beast::tcp_stream's
// timeouts apply to connect, write and read alike.
#include "net/http_client.h"

#include <poll.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <chrono>
#include <optional>
#include <utility>

namespace of::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Bounds on what the client accepts from a server.
constexpr std::uint64_t kResponseBodyBytesMax = 64ull << 20;
constexpr std::uint32_t kResponseHeaderBytesMax = 64 << 10;
constexpr std::size_t kSseLineBytesMax = 1 << 20;
constexpr std::size_t kStreamReadBytes = 16 << 10;

using EventCallback =
    std::function<bool(const std::string& id, const std::string& event, const std::string& data)>;

// Incremental Server-Sent Events parser (the subset of the WHATWG rules that
// orderflow uses): "id", "event" and "data" fields, ':' comments, a blank line
// dispatches. Data lines join with '\n'. The event type defaults to "message";
// the id persists across events, as the last event id does in a browser.
class SseParser {
 public:
  // Feeds bytes; returns false once on_event asked to stop or a line is too long.
  bool feed(std::string_view bytes, const EventCallback& on_event) {
    for (char c : bytes) {
      if (c == '\n') {
        if (!line_.empty() && line_.back() == '\r') line_.pop_back();
        if (!process_line(on_event)) return false;
        line_.clear();
      } else {
        line_ += c;
        if (line_.size() > kSseLineBytesMax) return false;
      }
    }
    return true;
  }

 private:
  bool process_line(const EventCallback& on_event) {
    if (line_.empty()) return dispatch(on_event);
    if (line_.front() == ':') return true;  // comment (keep-alive ping)
    std::string_view line = line_;
    std::size_t colon = line.find(':');
    std::string_view field = line.substr(0, colon);
    std::string_view value;
    if (colon != std::string_view::npos) {
      value = line.substr(colon + 1);
      if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    }
    if (field == "data") {
      if (has_data_) data_ += '\n';
      data_ += value;
      has_data_ = true;
    } else if (field == "event") {
      event_ = std::string(value);
    } else if (field == "id") {
      id_ = std::string(value);
    }
    return true;  // "retry" and unknown fields are ignored
  }

  bool dispatch(const EventCallback& on_event) {
    if (!has_data_) {
      event_.clear();
      return true;
    }
    bool more = on_event(id_, event_.empty() ? std::string("message") : event_, data_);
    data_.clear();
    event_.clear();
    has_data_ = false;
    return more;
  }

  std::string line_;
  std::string id_;
  std::string event_;
  std::string data_;
  bool has_data_ = false;
};

std::string describe(beast::error_code ec) {
  if (ec == beast::error::timeout) return "timed out";
  return ec.message();
}

// True when a connection that should be idle has something to read: the
// server closed it (EOF) or sent bytes we did not ask for. Either way it
// cannot carry the next request.
bool idle_connection_unusable(tcp::socket& socket) {
  pollfd descriptor{};
  descriptor.fd = socket.native_handle();
  descriptor.events = POLLIN;
  int ready = ::poll(&descriptor, 1, 0);
  return ready != 0;
}

}  // namespace

class HttpClient::Impl {
 public:
  explicit Impl(HttpClientOptions options) : options_(std::move(options)) {}

  Result<ClientResponse> request(std::string_view method, std::string_view target, std::string_view body,
                                 const Headers& headers) {
    for (int attempt = 0;; ++attempt) {
      bool reused = stream_.has_value();
      if (reused && (buffer_.size() > 0 || idle_connection_unusable(stream_->socket()))) {
        close();
        reused = false;
      }
      if (!stream_) {
        stream_.emplace(io_context_);
        Status connected = connect(*stream_, options_.connect_timeout_ms);
        if (!connected) {
          close();
          return connected;
        }
      }

      http::request<http::string_body> message;
      message.version(11);
      message.method_string(method);
      message.target(target);
      message.set(http::field::host, options_.host + ":" + std::to_string(options_.port));
      message.set(http::field::user_agent, "orderflow-client");
      if (!body.empty() && find_header(headers, "Content-Type").empty()) {
        message.set(http::field::content_type, "application/json");
      }
      for (const auto& [name, value] : headers) message.insert(name, value);
      message.body() = std::string(body);
      message.prepare_payload();

      stream_->expires_after(std::chrono::milliseconds(options_.request_timeout_ms));
      beast::error_code ec;
      http::async_write(*stream_, message, [&](beast::error_code result, std::size_t) { ec = result; });
      run();
      std::optional<http::response_parser<http::string_body>> parser;
      if (!ec) {
        parser.emplace();
        parser->body_limit(kResponseBodyBytesMax);
        parser->header_limit(kResponseHeaderBytesMax);
        if (beast::iequals(method, "HEAD")) parser->skip(true);
        http::async_read(*stream_, buffer_, *parser, [&](beast::error_code result, std::size_t) { ec = result; });
        run();
      }
      if (ec) {
        bool nothing_received = !parser || !parser->got_some();
        close();
        // A keep-alive connection the server closed while we were idle: the
        // request never reached the handler, so sending it again is safe.
        if (reused && attempt == 0 && nothing_received && ec != beast::error::timeout) continue;
        return Status::unavailable("http " + std::string(method) + " " + std::string(target) + " to " + where() +
                                   ": " + describe(ec));
      }

      auto& reply = parser->get();
      ClientResponse response;
      response.status = static_cast<int>(reply.result_int());
      for (const auto& field : reply) {
        response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      }
      response.body = std::move(reply.body());
      if (!reply.keep_alive()) close();
      return response;
    }
  }

  Status stream_events(std::string_view target, const Headers& headers, int64_t timeout_ms,
                       const EventCallback& on_event, int* status) {
    if (status != nullptr) *status = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    beast::tcp_stream stream(io_context_);
    OF_RETURN_IF_ERROR(connect(stream, std::min(options_.connect_timeout_ms, timeout_ms)));

    http::request<http::empty_body> message;
    message.version(11);
    message.method(http::verb::get);
    message.target(target);
    message.set(http::field::host, options_.host + ":" + std::to_string(options_.port));
    message.set(http::field::user_agent, "orderflow-client");
    message.set(http::field::accept, "text/event-stream");
    for (const auto& [name, value] : headers) message.insert(name, value);

    // One deadline for the whole exchange.
    stream.expires_at(deadline);
    beast::error_code ec;
    http::async_write(stream, message, [&](beast::error_code result, std::size_t) { ec = result; });
    run();
    beast::flat_buffer buffer;
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);  // a stream has no length; the deadline bounds it
    parser.header_limit(kResponseHeaderBytesMax);
    if (!ec) {
      http::async_read_header(stream, buffer, parser, [&](beast::error_code result, std::size_t) { ec = result; });
      run();
    }
    if (ec) {
      close_stream(stream);
      if (ec == beast::error::timeout) return Status::ok();
      return Status::unavailable("http stream " + std::string(target) + " to " + where() + ": " + describe(ec));
    }
    if (status != nullptr) *status = static_cast<int>(parser.get().result_int());
    if (parser.get().result_int() != 200) {
      close_stream(stream);
      return Status::ok();
    }

    SseParser events;
    std::string chunk(kStreamReadBytes, '\0');
    while (!parser.is_done()) {
      parser.get().body().data = chunk.data();
      parser.get().body().size = chunk.size();
      parser.get().body().more = true;
      http::async_read_some(stream, buffer, parser, [&](beast::error_code result, std::size_t) { ec = result; });
      run();
      if (ec == http::error::need_buffer) ec = {};
      std::size_t bytes = chunk.size() - parser.get().body().size;
      if (bytes > 0 && !events.feed(std::string_view(chunk.data(), bytes), on_event)) break;
      // Timeout, end of stream or a broken connection all end the stream normally.
      if (ec) break;
    }
    close_stream(stream);
    return Status::ok();
  }

  void close() {
    if (stream_) close_stream(*stream_);
    stream_.reset();
    buffer_.consume(buffer_.size());
  }

 private:
  std::string where() const { return options_.host + ":" + std::to_string(options_.port); }

  // Runs the pending operation(s) to completion on this thread.
  void run() {
    io_context_.restart();
    io_context_.run();
  }

  Status connect(beast::tcp_stream& stream, int64_t timeout_ms) {
    tcp::resolver resolver(io_context_);
    beast::error_code ec;
    auto endpoints = resolver.resolve(options_.host, std::to_string(options_.port), ec);
    if (ec) return Status::unavailable("http: cannot resolve " + options_.host + ": " + ec.message());
    stream.expires_after(std::chrono::milliseconds(timeout_ms));
    stream.async_connect(endpoints, [&](beast::error_code result, const tcp::endpoint&) { ec = result; });
    run();
    if (ec) return Status::unavailable("http: cannot connect to " + where() + ": " + describe(ec));
    stream.socket().set_option(tcp::no_delay(true), ec);
    return Status::ok();
  }

  static void close_stream(beast::tcp_stream& stream) {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.close();
  }

  const HttpClientOptions options_;
  asio::io_context io_context_;
  std::optional<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
};

HttpClient::HttpClient(HttpClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpClient::~HttpClient() = default;

Result<ClientResponse> HttpClient::request(std::string_view method, std::string_view target, std::string_view body,
                                           const Headers& headers) {
  return impl_->request(method, target, body, headers);
}

Status HttpClient::stream_events(
    std::string_view target, const Headers& headers, int64_t timeout_ms,
    const std::function<bool(const std::string& id, const std::string& event, const std::string& data)>& on_event,
    int* status) {
  return impl_->stream_events(target, headers, timeout_ms, on_event, status);
}

void HttpClient::close() { impl_->close(); }

}  // namespace of::net
