// HttpServer and HttpClient together, on 127.0.0.1 port 0. Raw POSIX sockets
// play the misbehaving clients (garbage, idle, pipelining).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "net/http_client.h"
#include "net/http_server.h"

namespace of::net {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Polls `predicate` until it holds or `timeout` passes (for state that changes
// on another thread; correctness never depends on the timing).
bool wait_until(const std::function<bool()>& predicate, std::chrono::milliseconds timeout = 5s) {
  auto deadline = Clock::now() + timeout;
  while (!predicate()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

// A raw TCP connection for sending arbitrary bytes.
class RawSocket {
 public:
  explicit RawSocket(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~RawSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  bool connected() const { return connected_; }

  bool send_all(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(sent));
    }
    return true;
  }

  // Reads until the peer closes or `timeout` passes; *closed says which.
  std::string read_until_close(std::chrono::milliseconds timeout, bool* closed = nullptr) {
    return read_until([](const std::string&) { return false; }, timeout, closed);
  }

  // Reads until `done(received)` holds, the peer closes, or `timeout` passes.
  std::string read_until(const std::function<bool(const std::string&)>& done, std::chrono::milliseconds timeout,
                         bool* closed = nullptr) {
    std::string received;
    auto deadline = Clock::now() + timeout;
    if (closed != nullptr) *closed = false;
    while (!done(received)) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) break;
      pollfd descriptor{fd_, POLLIN, 0};
      if (::poll(&descriptor, 1, static_cast<int>(left)) <= 0) continue;
      char buffer[4096];
      ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
      if (got <= 0) {
        if (closed != nullptr) *closed = true;
        break;
      }
      received.append(buffer, static_cast<size_t>(got));
    }
    return received;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

int count_of(const std::string& text, std::string_view needle) {
  int count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++count;
  return count;
}

// Runs tasks on one background thread, in order: a handler that answers later.
class Worker {
 public:
  Worker() : thread_([this] { loop(); }) {}
  ~Worker() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  void post(std::function<void()> task) {
    {
      std::lock_guard lock(mutex_);
      tasks_.push_back(std::move(task));
    }
    wake_.notify_all();
  }

 private:
  void loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;
      auto task = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      task();
      lock.lock();
    }
  }
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::thread thread_;
};

HttpResponse text_response(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.content_type = "text/plain";
  response.body = std::move(body);
  return response;
}

// Echo routes used by most tests.
void echo_handler(HttpRequest request, std::shared_ptr<Responder> responder) {
  if (request.path == "/hello") {
    responder->respond(text_response(200, "hello " + request.query_param("name")));
    return;
  }
  if (request.path == "/echo") {
    HttpResponse response = text_response(200, request.method + " " + request.body);
    response.headers.push_back({"X-Echo-Header", std::string(request.header("x-input"))});
    response.headers.push_back({"X-Content-Type", std::string(request.header("content-type"))});
    responder->respond(std::move(response));
    return;
  }
  if (request.path == "/path info") {
    responder->respond(text_response(200, request.path + "|" + request.query + "|" + request.remote_address));
    return;
  }
  responder->respond(text_response(404, "not found"));
}

HttpServerOptions test_options() {
  HttpServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.io_threads = 2;
  return options;
}

HttpClientOptions client_options(uint16_t port) {
  HttpClientOptions options;
  options.host = "127.0.0.1";
  options.port = port;
  options.connect_timeout_ms = 2'000;
  options.request_timeout_ms = 5'000;
  return options;
}

TEST(HttpServer, GetAndPostRoundTripOnOneKeepAliveConnection) {
  HttpServer server(test_options(), echo_handler);
  ASSERT_TRUE(server.start().is_ok());
  ASSERT_NE(server.port(), 0);
  HttpClient client(client_options(server.port()));
  for (int i = 0; i < 100; ++i) {
    auto got = client.get("/hello?name=n" + std::to_string(i));
    ASSERT_TRUE(got.is_ok()) << got.status().to_string();
    EXPECT_EQ(got->status, 200);
    EXPECT_EQ(got->body, "hello n" + std::to_string(i));
    EXPECT_EQ(got->header("content-type"), "text/plain");
    EXPECT_EQ(got->header("server"), "orderflow");
    EXPECT_FALSE(got->header("date").empty());
    EXPECT_EQ(got->header("content-length"), std::to_string(got->body.size()));

    auto posted = client.request("POST", "/echo", R"({"i":)" + std::to_string(i) + "}", {{"X-Input", "v"}});
    ASSERT_TRUE(posted.is_ok()) << posted.status().to_string();
    EXPECT_EQ(posted->body, R"(POST {"i":)" + std::to_string(i) + "}");
    EXPECT_EQ(posted->header("x-echo-header"), "v");
    EXPECT_EQ(posted->header("x-content-type"), "application/json");
  }
  // All 200 requests travelled on one connection.
  EXPECT_EQ(server.active_connections(), 1);
  auto put = client.put("/echo", "x");
  ASSERT_TRUE(put.is_ok());
  EXPECT_EQ(put->body, "PUT x");
  auto missing = client.get("/nope");
  ASSERT_TRUE(missing.is_ok());
  EXPECT_EQ(missing->status, 404);
  client.close();
  EXPECT_TRUE(wait_until([&] { return server.active_connections() == 0; }));
}

TEST(HttpServer, DecodesPathAndKeepsRawQuery) {
  HttpServer server(test_options(), echo_handler);
  ASSERT_TRUE(server.start().is_ok());
  HttpClient client(client_options(server.port()));
  auto got = client.get("/path%20info?a=1%202&b");
  ASSERT_TRUE(got.is_ok());
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->body, "/path info|a=1%202&b|127.0.0.1");
}

TEST(HttpServer, HandlerAnswersFromAnotherThreadLater) {
  Worker worker;
  HttpServer server(test_options(), [&](HttpRequest request, std::shared_ptr<Responder> responder) {
    worker.post([request = std::move(request), responder] {
      std::this_thread::sleep_for(20ms);
      responder->respond(text_response(201, "late " + request.body));
    });
  });
  ASSERT_TRUE(server.start().is_ok());
  HttpClient client(client_options(server.port()));
  for (int i = 0; i < 5; ++i) {
    auto got = client.post("/late", std::to_string(i));
    ASSERT_TRUE(got.is_ok()) << got.status().to_string();
    EXPECT_EQ(got->status, 201);
    EXPECT_EQ(got->body, "late " + std::to_string(i));
  }
}

TEST(HttpServer, DroppedResponderAnswers500) {
  HttpServer server(test_options(), [](HttpRequest request, std::shared_ptr<Responder> responder) {
    if (request.path == "/throw") throw std::runtime_error("handler bug");
    // Drop the responder without answering.
  });
  ASSERT_TRUE(server.start().is_ok());
  HttpClient client(client_options(server.port()));
  auto got = client.get("/drop");
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  EXPECT_EQ(got->status, 500);
  EXPECT_EQ(got->header("content-type"), "application/problem+json");
  auto thrown = client.get("/throw");
  ASSERT_TRUE(thrown.is_ok()) << thrown.status().to_string();
  EXPECT_EQ(thrown->status, 500);
}

TEST(HttpServer, BodyOverLimitIs413) {
  HttpServerOptions options = test_options();
  options.body_bytes_max = 1024;
  HttpServer server(options, echo_handler);
  ASSERT_TRUE(server.start().is_ok());
  HttpClient client(client_options(server.port()));
  auto fits = client.post("/echo", std::string(1024, 'a'));
  ASSERT_TRUE(fits.is_ok());
  EXPECT_EQ(fits->status, 200);
  auto got = client.post("/echo", std::string(4096, 'a'));
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  EXPECT_EQ(got->status, 413);
  EXPECT_EQ(got->header("content-type"), "application/problem+json");
  EXPECT_NE(got->body.find(R"("type":"https://orderflow.dev/problems/body-too-large")"), std::string::npos) << got->body;
  EXPECT_NE(got->body.find(R"("status":413)"), std::string::npos) << got->body;
  EXPECT_EQ(got->header("connection"), "close");
  // The client reconnects for the next request.
  auto after = client.get("/hello?name=again");
  ASSERT_TRUE(after.is_ok());
  EXPECT_EQ(after->body, "hello again");
}

TEST(HttpServer, GarbageIs400ThenClose) {
  HttpServer server(test_options(), echo_handler);
  ASSERT_TRUE(server.start().is_ok());
  RawSocket raw(server.port());
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(raw.send_all("this is not http at all\r\n\r\n"));
  bool closed = false;
  std::string reply = raw.read_until_close(5s, &closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
  EXPECT_NE(reply.find("application/problem+json"), std::string::npos) << reply;
  EXPECT_NE(reply.find(R"("status":400)"), std::string::npos) << reply;
}

TEST(HttpServer, HeaderOverLimitIs400) {
  HttpServerOptions options = test_options();
  options.header_bytes_max = 1024;
  HttpServer server(options, echo_handler);
  ASSERT_TRUE(server.start().is_ok());
  HttpClient client(client_options(server.port()));
  auto got = client.request("GET", "/hello", {}, {{"X-Big", std::string(4096, 'b')}});
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  EXPECT_EQ(got->status, 400);
  EXPECT_NE(got->body.find("header-too-large"), std::string::npos) << got->body;
}

TEST(HttpServer, PipelinedRequestsAnsweredInOrder) {
  Worker worker;
  HttpServer server(test_options(), [&](HttpRequest request, std::shared_ptr<Responder> responder) {
    // The first answer is the slow one: order must still hold.
    bool slow = request.path == "/1";
    worker.post([slow, path = request.path, responder] {
      if (slow) std::this_thread::sleep_for(30ms);
      responder->respond(text_response(200, "answer" + path));
    });
  });
  ASSERT_TRUE(server.start().is_ok());
  RawSocket raw(server.port());
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(raw.send_all(
      "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\n"
      "Connection: close\r\n\r\n"));
  bool closed = false;
  std::string reply = raw.read_until_close(5s, &closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(count_of(reply, "HTTP/1.1 200"), 3) << reply;
  auto first = reply.find("answer/1");
  auto second = reply.find("answer/2");
  auto third = reply.find("answer/3");
  ASSERT_NE(third, std::string::npos) << reply;
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
}

TEST(HttpServer, ExpectContinueHeadAndHttp10KeepAlive) {
  HttpServer server(test_options(), echo_handler);
  ASSERT_TRUE(server.start().is_ok());

  RawSocket expect(server.port());
  ASSERT_TRUE(expect.send_all(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"));
  std::string interim = expect.read_until([](const std::string& got) { return got.find("\r\n\r\n") != got.npos; }, 5s);
  EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(expect.send_all("hello"));
  std::string reply = expect.read_until_close(5s);
  EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << reply;
  EXPECT_NE(reply.find("POST hello"), std::string::npos) << reply;

  RawSocket head(server.port());
  ASSERT_TRUE(head.send_all("HEAD /hello?name=abc HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  reply = head.read_until_close(5s);
  EXPECT_NE(reply.find("Content-Length: 9\r\n"), std::string::npos) << reply;
  EXPECT_EQ(reply.substr(reply.size() - 4), "\r\n\r\n") << reply;  // no body

  RawSocket old(server.port());
  ASSERT_TRUE(old.send_all("GET /hello?name=a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  reply = old.read_until([](const std::string& got) { return got.find("hello a") != got.npos; }, 5s);
  EXPECT_EQ(reply.rfind("HTTP/1.0 200", 0), 0u) << reply;
  EXPECT_NE(reply.find("Connection: keep-alive"), std::string::npos) << reply;
  ASSERT_TRUE(old.send_all("GET /hello?name=b HTTP/1.0\r\n\r\n"));  // 1.0 without keep-alive: closes
  bool closed = false;
  reply = old.read_until_close(5s, &closed);
  EXPECT_TRUE(closed);
  EXPECT_NE(reply.find("hello b"), std::string::npos) << reply;
}

TEST(HttpServer, FiftyConcurrentClients) {
  HttpServer server(test_options(), echo_handler);
  ASSERT_TRUE(server.start().is_ok());
  constexpr int kClients = 50;
  constexpr int kRequests = 20;
  std::atomic<int> correct{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      HttpClient client(client_options(server.port()));
      for (int r = 0; r < kRequests; ++r) {
        std::string body = "client" + std::to_string(c) + "-request" + std::to_string(r);
        auto got = client.post("/echo", body);
        if (got.is_ok() && got->status == 200 && got->body == "POST " + body) ++correct;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(correct.load(), kClients * kRequests);
}

TEST(HttpServer, ConnectionsMaxAnswers503) {
  HttpServerOptions options = test_options();
  options.connections_max = 1;
  HttpServer server(options, echo_handler);
  ASSERT_TRUE(server.start().is_ok());
  RawSocket first(server.port());
  ASSERT_TRUE(first.connected());
  ASSERT_TRUE(wait_until([&] { return server.active_connections() == 1; }));
  HttpClient client(client_options(server.port()));
  auto got = client.get("/hello");
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  EXPECT_EQ(got->status, 503);
  EXPECT_EQ(got->header("content-type"), "application/problem+json");
}

TEST(HttpServer, IdleTimeoutClosesConnection) {
  HttpServerOptions options = test_options();
  options.idle_timeout_ms = 200;
  HttpServer server(options, echo_handler);
  ASSERT_TRUE(server.start().is_ok());

  // Idle before any request.
  RawSocket silent(server.port());
  ASSERT_TRUE(silent.connected());
  bool closed = false;
  auto started = Clock::now();
  EXPECT_EQ(silent.read_until_close(5s, &closed), "");
  EXPECT_TRUE(closed);
  EXPECT_GE(Clock::now() - started, 150ms);

  // Idle after a keep-alive request.
  RawSocket used(server.port());
  ASSERT_TRUE(used.send_all("GET /hello?name=x HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string reply = used.read_until_close(5s, &closed);
  EXPECT_TRUE(closed);
  EXPECT_NE(reply.find("hello x"), std::string::npos) << reply;
  EXPECT_TRUE(wait_until([&] { return server.active_connections() == 0; }));
}

TEST(HttpServer, ClientReconnectsAfterServerClosedIdleConnection) {
  HttpServerOptions options = test_options();
  options.idle_timeout_ms = 100;
  HttpServer server(options, echo_handler);
  ASSERT_TRUE(server.start().is_ok());
  HttpClient client(client_options(server.port()));
  ASSERT_TRUE(client.get("/hello?name=1").is_ok());
  ASSERT_TRUE(wait_until([&] { return server.active_connections() == 0; }));
  auto got = client.post("/echo", "again");
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  EXPECT_EQ(got->body, "POST again");
}

TEST(HttpServer, StartFailsWhenPortTaken) {
  HttpServer first(test_options(), echo_handler);
  ASSERT_TRUE(first.start().is_ok());
  HttpServerOptions options = test_options();
  options.port = first.port();
  HttpServer second(options, echo_handler);
  Status status = second.start();
  EXPECT_EQ(status.code(), Code::kUnavailable);
  EXPECT_NE(status.message().find(std::to_string(first.port())), std::string::npos) << status.message();
  second.stop();  // safe after a failed start
}

TEST(HttpClient, ConnectFailureIsUnavailable) {
  uint16_t port = 0;
  {
    HttpServer server(test_options(), echo_handler);
    ASSERT_TRUE(server.start().is_ok());
    port = server.port();
  }
  HttpClient client(client_options(port));
  auto got = client.get("/");
  EXPECT_EQ(got.status().code(), Code::kUnavailable);
  Status streamed = client.stream_events("/", {}, 1000, [](auto&, auto&, auto&) { return true; });
  EXPECT_EQ(streamed.code(), Code::kUnavailable);
}

TEST(HttpClient, RequestTimeout) {
  std::promise<std::shared_ptr<Responder>> held;
  HttpServer server(test_options(), [&](HttpRequest, std::shared_ptr<Responder> responder) {
    held.set_value(responder);  // never answered during the test
  });
  ASSERT_TRUE(server.start().is_ok());
  HttpClientOptions options = client_options(server.port());
  options.request_timeout_ms = 200;
  HttpClient client(options);
  auto got = client.get("/slow");
  EXPECT_EQ(got.status().code(), Code::kUnavailable);
  EXPECT_NE(got.status().message().find("timed out"), std::string::npos) << got.status().message();
  server.stop();
}

// ---- Streams (SSE) --------------------------------------------------------------

struct StreamProbe {
  std::mutex mutex;
  std::condition_variable changed;
  std::shared_ptr<ResponseStream> stream;
  int closes = 0;

  void set(std::shared_ptr<ResponseStream> opened) {
    opened->on_close([this] {
      std::lock_guard lock(mutex);
      ++closes;
      changed.notify_all();
    });
    std::lock_guard lock(mutex);
    stream = std::move(opened);
    changed.notify_all();
  }
  std::shared_ptr<ResponseStream> wait_stream() {
    std::unique_lock lock(mutex);
    changed.wait_for(lock, 5s, [this] { return stream != nullptr; });
    return stream;
  }
  bool wait_closed() {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 5s, [this] { return closes > 0; });
  }
  int close_count() {
    std::lock_guard lock(mutex);
    return closes;
  }
};

HttpResponse sse_head() {
  HttpResponse head;
  head.content_type = "text/event-stream";
  head.headers.push_back({"Cache-Control", "no-cache"});
  return head;
}

struct Event {
  std::string id, event, data;
};

TEST(HttpStream, ClientReceivesEventsInOrderAndClosingFiresOnClose) {
  StreamProbe probe;
  std::atomic<bool> saw_accept{false};
  HttpServer server(test_options(), [&](HttpRequest request, std::shared_ptr<Responder> responder) {
    saw_accept = request.header("accept") == "text/event-stream" && request.header("x-token") == "t";
    probe.set(responder->start_stream(sse_head()));
  });
  ASSERT_TRUE(server.start().is_ok());

  std::thread writer([&] {
    auto stream = probe.wait_stream();
    ASSERT_NE(stream, nullptr);
    EXPECT_TRUE(stream->write(": comment to ignore\n\n"));
    EXPECT_TRUE(stream->write("id: 1\nevent: order.created\ndata: {\"n\":1}\n\n"));
    // One event split across writes, with two data lines.
    EXPECT_TRUE(stream->write("id: 2\nevent: order.paid\ndata: line one\n"));
    EXPECT_TRUE(stream->write("data: line two\n\n"));
    EXPECT_TRUE(stream->write("id: 3\r\ndata:no-space\r\n\r\n"));
  });

  HttpClient client(client_options(server.port()));
  std::vector<Event> events;
  int status = 0;
  Status result = client.stream_events(
      "/events", {{"X-Token", "t"}}, 5'000,
      [&](const std::string& id, const std::string& event, const std::string& data) {
        events.push_back({id, event, data});
        return events.size() < 3;
      },
      &status);
  writer.join();
  ASSERT_TRUE(result.is_ok()) << result.to_string();
  EXPECT_EQ(status, 200);
  EXPECT_TRUE(saw_accept.load());
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].id, "1");
  EXPECT_EQ(events[0].event, "order.created");
  EXPECT_EQ(events[0].data, "{\"n\":1}");
  EXPECT_EQ(events[1].id, "2");
  EXPECT_EQ(events[1].event, "order.paid");
  EXPECT_EQ(events[1].data, "line one\nline two");
  EXPECT_EQ(events[2].id, "3");
  EXPECT_EQ(events[2].event, "message");
  EXPECT_EQ(events[2].data, "no-space");

  // The client went away: the server notices without writing.
  EXPECT_TRUE(probe.wait_closed());
  EXPECT_EQ(probe.close_count(), 1);
  auto stream = probe.wait_stream();
  EXPECT_TRUE(stream->closed());
  EXPECT_FALSE(stream->write("data: late\n\n"));
  EXPECT_TRUE(wait_until([&] { return server.active_connections() == 0; }));
}

TEST(HttpStream, ServerCloseEndsClientStream) {
  StreamProbe probe;
  HttpServer server(test_options(), [&](HttpRequest, std::shared_ptr<Responder> responder) {
    auto stream = responder->start_stream(sse_head());
    stream->write("data: only\n\n");
    stream->close();
    probe.set(stream);  // on_close set after the close: still called, once
  });
  ASSERT_TRUE(server.start().is_ok());
  HttpClient client(client_options(server.port()));
  std::vector<std::string> data;
  Status result = client.stream_events("/events", {}, 5'000, [&](auto&, auto&, const std::string& value) {
    data.push_back(value);
    return true;
  });
  ASSERT_TRUE(result.is_ok());
  EXPECT_EQ(data, std::vector<std::string>{"only"});
  EXPECT_TRUE(probe.wait_closed());
  EXPECT_EQ(probe.close_count(), 1);
}

TEST(HttpStream, DroppedStreamHandleEndsTheStream) {
  HttpServer server(test_options(), [&](HttpRequest, std::shared_ptr<Responder> responder) {
    auto stream = responder->start_stream(sse_head());
    stream->write("data: before drop\n\n");
  });
  ASSERT_TRUE(server.start().is_ok());
  HttpClient client(client_options(server.port()));
  std::vector<std::string> data;
  auto started = Clock::now();
  Status result = client.stream_events("/events", {}, 5'000, [&](auto&, auto&, const std::string& value) {
    data.push_back(value);
    return true;
  });
  ASSERT_TRUE(result.is_ok());
  EXPECT_EQ(data, std::vector<std::string>{"before drop"});
  EXPECT_LT(Clock::now() - started, 3s);
}

TEST(HttpStream, ClientTimeoutReturnsOk) {
  StreamProbe probe;
  HttpServer server(test_options(), [&](HttpRequest, std::shared_ptr<Responder> responder) {
    probe.set(responder->start_stream(sse_head()));
  });
  ASSERT_TRUE(server.start().is_ok());
  HttpClient client(client_options(server.port()));
  int status = 0;
  auto started = Clock::now();
  Status result = client.stream_events(
      "/events", {}, 200, [](auto&, auto&, auto&) { return true; }, &status);
  EXPECT_TRUE(result.is_ok()) << result.to_string();
  EXPECT_EQ(status, 200);
  EXPECT_GE(Clock::now() - started, 150ms);
  EXPECT_TRUE(probe.wait_closed());
}

TEST(HttpStream, NonStreamAnswerReportsStatus) {
  HttpServer server(test_options(), echo_handler);
  ASSERT_TRUE(server.start().is_ok());
  HttpClient client(client_options(server.port()));
  int status = 0;
  bool called = false;
  Status result = client.stream_events(
      "/missing", {}, 2'000,
      [&](auto&, auto&, auto&) {
        called = true;
        return true;
      },
      &status);
  EXPECT_TRUE(result.is_ok());
  EXPECT_EQ(status, 404);
  EXPECT_FALSE(called);
}

TEST(HttpStream, SlowReaderIsCutOffAtQueueBound) {
  HttpServerOptions options = test_options();
  options.stream_queued_bytes_max = 256 << 10;
  StreamProbe probe;
  HttpServer server(options, [&](HttpRequest, std::shared_ptr<Responder> responder) {
    probe.set(responder->start_stream(sse_head()));
  });
  ASSERT_TRUE(server.start().is_ok());
  RawSocket raw(server.port());  // sends the request, then never reads
  ASSERT_TRUE(raw.send_all("GET /events HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto stream = probe.wait_stream();
  ASSERT_NE(stream, nullptr);
  std::string chunk = "data: " + std::string(64 << 10, 'x') + "\n\n";
  bool refused = false;
  for (int i = 0; i < 4096 && !refused; ++i) refused = !stream->write(chunk);
  EXPECT_TRUE(refused);
  EXPECT_TRUE(probe.wait_closed());
  EXPECT_EQ(probe.close_count(), 1);
}

TEST(HttpServer, StopWithOpenStreamsAndConnectionsIsPrompt) {
  StreamProbe probe;
  std::promise<std::shared_ptr<Responder>> held_promise;
  auto held_future = held_promise.get_future();
  auto server = std::make_unique<HttpServer>(test_options(), [&](HttpRequest request,
                                                                 std::shared_ptr<Responder> responder) {
    if (request.path == "/events") {
      probe.set(responder->start_stream(sse_head()));
    } else {
      held_promise.set_value(responder);  // a request still in progress
    }
  });
  ASSERT_TRUE(server->start().is_ok());
  uint16_t port = server->port();

  std::atomic<bool> stream_returned{false};
  std::thread streamer([&] {
    HttpClient client(client_options(port));
    Status result = client.stream_events("/events", {}, 30'000, [](auto&, auto&, auto&) { return true; });
    EXPECT_TRUE(result.is_ok());
    stream_returned = true;
  });
  std::thread pending([&] {
    HttpClient client(client_options(port));
    auto got = client.get("/pending");
    EXPECT_FALSE(got.is_ok());  // the server stopped before answering
  });
  RawSocket idle(port);
  ASSERT_TRUE(idle.connected());
  ASSERT_NE(probe.wait_stream(), nullptr);
  auto responder = held_future.get();
  ASSERT_TRUE(wait_until([&] { return server->active_connections() == 3; }));

  auto started = Clock::now();
  server->stop();
  EXPECT_LT(Clock::now() - started, 2s);
  EXPECT_EQ(probe.close_count(), 1);
  EXPECT_TRUE(probe.wait_stream()->closed());
  EXPECT_FALSE(probe.wait_stream()->write("data: x\n\n"));
  server->stop();  // idempotent
  streamer.join();
  pending.join();
  EXPECT_TRUE(stream_returned.load());
  bool closed = false;
  idle.read_until_close(2s, &closed);
  EXPECT_TRUE(closed);

  // Answering (or dropping the responder) after stop is ignored, even once the
  // server object is gone.
  server.reset();
  responder->respond(text_response(200, "too late"));
  responder.reset();
}

}  // namespace
}  // namespace of::net
