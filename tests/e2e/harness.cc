#include "e2e/harness.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

namespace of::e2e {

uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  uint16_t port = ntohs(address.sin_port);
  ::close(fd);
  return port;
}

Spawned spawn_until_ready(std::vector<std::string> args, const std::string& log_path, uint16_t port,
                          const std::string& ready_path, int64_t timeout_ms) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  Spawned spawned{pid, false};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return Spawned{};
    net::HttpClient probe({"127.0.0.1", port, 500, 1000});
    auto response = probe.get(ready_path);
    if (response && response->status == 200) {
      spawned.ready = true;
      return spawned;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return spawned;
}

OrderflowProcess::OrderflowProcess(std::string data_dir, std::vector<std::string> settings)
    : data_dir_(std::move(data_dir)), settings_(std::move(settings)), port_(free_port()) {}

OrderflowProcess::~OrderflowProcess() {
  if (pid_ > 0) kill9();
}

bool OrderflowProcess::start(int64_t timeout_ms) {
  std::vector<std::string> args = {ORDERFLOW_BINARY, "serve", "--data-dir", data_dir_, "--port",
                                   std::to_string(port_), "--set", "http.address=127.0.0.1", "--set",
                                   "catalog.demo=false", "--set", "fulfillment.delivery_delay_ms=20", "--set",
                                   "log.format=text", "--set", "log.level=warn",
                                   // The tests send thousands of requests from one address; the
                                   // rate limit test turns it back on with its own --set.
                                   "--set", "ratelimit.enabled=false"};
  for (const auto& setting : settings_) {
    args.push_back("--set");
    args.push_back(setting);
  }
  Spawned spawned = spawn_until_ready(std::move(args), data_dir_ + "/orderflow.log", port_, "/readyz", timeout_ms);
  pid_ = spawned.pid;
  return spawned.ready;
}

void OrderflowProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

int OrderflowProcess::terminate() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

net::HttpClient OrderflowProcess::client() const { return net::HttpClient({"127.0.0.1", port_, 5000, 30000}); }

std::string OrderflowProcess::log_tail(size_t bytes) const {
  std::ifstream file(data_dir_ + "/orderflow.log");
  std::stringstream buffer;
  buffer << file.rdbuf();
  std::string text = buffer.str();
  return text.size() > bytes ? text.substr(text.size() - bytes) : text;
}

boost::json::value parse_json(const std::string& text) {
  boost::system::error_code error;
  auto value = boost::json::parse(text, error);
  EXPECT_FALSE(error) << "not JSON: " << text;
  return value;
}

std::string order_body(const std::string& customer_id, const std::vector<std::pair<std::string, int>>& lines,
                       const std::string& payment_token) {
  boost::json::object body;
  body["customerId"] = customer_id;
  body["currency"] = "USD";
  body["paymentToken"] = payment_token;
  body["shippingAddress"] = {{"name", "Ada Lovelace"}, {"line1", "1 Analytical Way"}, {"city", "Los Angeles"},
                             {"region", "CA"},         {"postalCode", "90001"},         {"country", "US"}};
  boost::json::array items;
  for (const auto& [product, quantity] : lines) items.push_back({{"productId", product}, {"quantity", quantity}});
  body["lines"] = std::move(items);
  return boost::json::serialize(body);
}

void add_product(net::HttpClient& client, const std::string& id, int64_t price_minor, int64_t on_hand) {
  auto product = client.put("/v1/products/" + id,
                            R"({"name":"Product )" + id + R"(","price":)" + std::to_string(price_minor) +
                                R"(,"currency":"USD","taxClass":"standard"})");
  ASSERT_TRUE(product) << product.status().to_string();
  ASSERT_EQ(product->status, 200) << product->body;
  auto stock = client.put("/v1/inventory/" + id, R"({"onHand":)" + std::to_string(on_hand) + "}");
  ASSERT_TRUE(stock) << stock.status().to_string();
  ASSERT_EQ(stock->status, 200) << stock->body;
}

std::vector<std::string> all_order_ids(net::HttpClient& client) {
  std::vector<std::string> ids;
  std::string cursor;
  for (int page = 0; page < 1000; ++page) {
    auto response = client.get("/v1/orders?limit=500" + (cursor.empty() ? "" : "&cursor=" + cursor));
    EXPECT_TRUE(response && response->status == 200);
    if (!response || response->status != 200) break;
    auto body = parse_json(response->body).as_object();
    for (const auto& order : body.at("orders").as_array()) ids.emplace_back(order.at("id").as_string());
    if (body.at("nextCursor").is_null()) break;
    cursor = std::string(body.at("nextCursor").as_string());
  }
  return ids;
}

bool is_terminal_status(const std::string& status) {
  return status == "DELIVERED" || status == "REJECTED" || status == "CANCELLED" || status == "REFUNDED" ||
         status == "PARTIALLY_REFUNDED";
}

std::optional<boost::json::object> wait_terminal(net::HttpClient& client, const std::string& order_id,
                                                 int64_t timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::optional<boost::json::object> last;
  while (std::chrono::steady_clock::now() < deadline) {
    auto response = client.get("/v1/orders/" + order_id);
    if (response && response->status == 200) {
      auto value = parse_json(response->body);
      if (value.is_object()) {
        last = value.as_object();
        if (is_terminal_status(std::string(last->at("status").as_string()))) return last;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return last;
}

Stock get_stock(net::HttpClient& client, const std::string& product_id) {
  Stock stock;
  auto response = client.get("/v1/inventory/" + product_id);
  EXPECT_TRUE(response) << response.status().to_string();
  if (!response) return stock;
  EXPECT_EQ(response->status, 200) << response->body;
  auto value = parse_json(response->body);
  if (!value.is_object()) return stock;
  const auto& object = value.as_object();
  stock.on_hand = object.at("onHand").as_int64();
  stock.reserved = object.at("reserved").as_int64();
  stock.available = object.at("available").as_int64();
  stock.sold = object.at("sold").as_int64();
  return stock;
}

std::map<std::string, int> approved_charges(const std::string& data_dir) {
  std::map<std::string, int> counts;
  std::ifstream file(data_dir + "/gateway-ledger.jsonl");
  std::string line;
  while (std::getline(file, line)) {
    boost::system::error_code error;
    auto value = boost::json::parse(line, error);
    if (error || !value.is_object()) continue;
    const auto& object = value.as_object();
    if (object.at("kind").as_string() == "charge" && object.at("approved").as_bool()) {
      ++counts[std::string(object.at("orderId").as_string())];
    }
  }
  return counts;
}

}  // namespace of::e2e
