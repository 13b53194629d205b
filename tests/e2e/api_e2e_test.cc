// The HTTP API's edges through the real binary: every kind of bad input gets a
// problem+json answer a person can act on, and the read endpoints page.
#include <gtest/gtest.h>

#include <set>

#include "e2e/harness.h"

namespace of::e2e {
namespace {

class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDirectory();
    server_ = new OrderflowProcess(dir_->path());
    ASSERT_TRUE(server_->start()) << server_->log_tail();
    net::HttpClient client = server_->client();
    add_product(client, "mug", 1299, 100);
    add_product(client, "tee", 2499, 5);
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }

  static TempDirectory* dir_;
  static OrderflowProcess* server_;
};

TempDirectory* ApiTest::dir_ = nullptr;
OrderflowProcess* ApiTest::server_ = nullptr;

struct BadCase {
  const char* name;
  const char* method;
  const char* target;
  std::string body;
  int status;
  const char* field;  // expected "field" member, or nullptr
};

TEST_F(ApiTest, BadInputGetsProblemJsonNamingTheField) {
  const std::string address =
      R"("shippingAddress":{"name":"A","line1":"1 St","city":"LA","region":"CA","postalCode":"90001","country":"US"})";
  std::vector<BadCase> cases = {
      {"malformed json", "POST", "/v1/orders", "{\"customerId\":", 400, nullptr},
      {"no lines", "POST", "/v1/orders",
       R"({"customerId":"c","currency":"USD","paymentToken":"tok_visa",)" + address + R"(,"lines":[]})", 400, "/lines"},
      {"zero quantity", "POST", "/v1/orders",
       R"({"customerId":"c","currency":"USD","paymentToken":"tok_visa",)" + address +
           R"(,"lines":[{"productId":"mug","quantity":0}]})",
       400, "/lines/0/quantity"},
      {"quantity too large", "POST", "/v1/orders",
       R"({"customerId":"c","currency":"USD","paymentToken":"tok_visa",)" + address +
           R"(,"lines":[{"productId":"mug","quantity":1001}]})",
       400, "/lines/0/quantity"},
      {"quantity as string", "POST", "/v1/orders",
       R"({"customerId":"c","currency":"USD","paymentToken":"tok_visa",)" + address +
           R"(,"lines":[{"productId":"mug","quantity":"2"}]})",
       400, "/lines/0/quantity"},
      {"unknown product", "POST", "/v1/orders",
       R"({"customerId":"c","currency":"USD","paymentToken":"tok_visa",)" + address +
           R"(,"lines":[{"productId":"nope","quantity":1}]})",
       400, "/lines/0/productId"},
      {"wrong currency", "POST", "/v1/orders",
       R"({"customerId":"c","currency":"EUR","paymentToken":"tok_visa",)" + address +
           R"(,"lines":[{"productId":"mug","quantity":1}]})",
       400, "/currency"},
      {"client sets status", "POST", "/v1/orders",
       R"({"customerId":"c","currency":"USD","paymentToken":"tok_visa","status":"PAID",)" + address +
           R"(,"lines":[{"productId":"mug","quantity":1}]})",
       400, "/status"},
      {"missing city", "POST", "/v1/orders",
       R"({"customerId":"c","currency":"USD","paymentToken":"tok_visa","shippingAddress":{"name":"A","line1":"1 St","postalCode":"1","country":"US"},"lines":[{"productId":"mug","quantity":1}]})",
       400, "/shippingAddress/city"},
      {"raw card number", "POST", "/v1/orders",
       R"({"customerId":"c","currency":"USD","paymentToken":"4111 1111 1111 1111",)" + address +
           R"(,"lines":[{"productId":"mug","quantity":1}]})",
       400, "/paymentToken"},
      {"stale price", "POST", "/v1/orders",
       R"({"customerId":"c","currency":"USD","paymentToken":"tok_visa",)" + address +
           R"(,"lines":[{"productId":"mug","quantity":1,"price":999}]})",
       409, "/lines/0/price"},
      {"more than in stock", "POST", "/v1/orders",
       R"({"customerId":"c","currency":"USD","paymentToken":"tok_visa",)" + address +
           R"(,"lines":[{"productId":"tee","quantity":4},{"productId":"tee","quantity":2}]})",
       409, nullptr},
      {"unknown order", "GET", "/v1/orders/0190b5e4-0000-7000-8000-000000000000", "", 404, nullptr},
      {"bad status filter", "GET", "/v1/orders?status=SHIPPING", "", 400, "status"},
      {"bad limit", "GET", "/v1/orders?limit=0", "", 400, "limit"},
      {"negative stock", "PUT", "/v1/inventory/mug", R"({"onHand":-1})", 400, "/onHand"},
      {"stock for unknown product", "PUT", "/v1/inventory/ghost", R"({"onHand":1})", 404, nullptr},
      {"product without price", "PUT", "/v1/products/x", R"({"name":"X","currency":"USD"})", 400, "/price"},
      {"unknown route", "GET", "/v1/nothing", "", 404, nullptr},
      {"wrong method", "DELETE", "/v1/orders", "", 405, nullptr},
      {"redrive unknown dead letter", "POST", "/v1/dead-letters/999999/redrive", "", 404, nullptr},
  };
  net::HttpClient client = server_->client();
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto response = client.request(c.method, c.target, c.body);
    ASSERT_TRUE(response) << response.status().to_string();
    EXPECT_EQ(response->status, c.status) << response->body;
    EXPECT_EQ(response->header("Content-Type").substr(0, 24), "application/problem+json");
    auto value = parse_json(response->body);
    ASSERT_TRUE(value.is_object()) << response->body;
    const auto& problem = value.as_object();
    EXPECT_EQ(problem.at("status").as_int64(), c.status);
    EXPECT_FALSE(problem.at("detail").as_string().empty());
    EXPECT_FALSE(problem.at("type").as_string().empty());
    if (c.field) {
      ASSERT_TRUE(problem.contains("field")) << response->body;
      EXPECT_EQ(problem.at("field").as_string(), c.field) << response->body;
    }
    EXPECT_EQ(response->body.find("4111"), std::string::npos) << "a card number was echoed back";
  }
}

// Product ids on one page of GET /v1/inventory?lowStock=true.
std::set<std::string> low_stock_ids(net::HttpClient& client) {
  std::set<std::string> ids;
  auto response = client.get("/v1/inventory?lowStock=true&limit=500");
  EXPECT_TRUE(response);
  if (!response) return ids;
  EXPECT_EQ(response->status, 200) << response->body;
  auto listed = parse_json(response->body).as_object();
  for (const auto& item : listed.at("inventory").as_array()) {
    EXPECT_TRUE(item.at("lowStock").as_bool()) << item;
    ids.insert(std::string(item.at("productId").as_string()));
  }
  return ids;
}

TEST_F(ApiTest, LowStockListingShowsAProductOnceItCrossesItsThreshold) {
  net::HttpClient client = server_->client();
  add_product(client, "lamp", 1000, 10);
  auto configured = client.put("/v1/inventory/lamp", R"({"onHand":10,"lowStockThreshold":5})");
  ASSERT_TRUE(configured);
  ASSERT_EQ(configured->status, 200) << configured->body;
  auto stock = parse_json(configured->body).as_object();
  EXPECT_EQ(stock.at("lowStockThreshold").as_int64(), 5);
  EXPECT_FALSE(stock.at("lowStock").as_bool());
  EXPECT_EQ(low_stock_ids(client).count("lamp"), 0u);

  auto created = client.post("/v1/orders", order_body("low", {{"lamp", 6}}));
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  const std::string order_id(parse_json(created->body).at("id").as_string());
  ASSERT_TRUE(wait_terminal(client, order_id, 30'000));
  EXPECT_EQ(low_stock_ids(client).count("lamp"), 1u);
  auto after = client.get("/v1/inventory/lamp");
  ASSERT_TRUE(after);
  EXPECT_TRUE(parse_json(after->body).at("lowStock").as_bool()) << after->body;

  auto bad_threshold = client.put("/v1/inventory/lamp", R"({"onHand":10,"lowStockThreshold":-1})");
  ASSERT_TRUE(bad_threshold);
  EXPECT_EQ(bad_threshold->status, 400) << bad_threshold->body;
  auto bad_filter = client.get("/v1/inventory?lowStock=maybe");
  ASSERT_TRUE(bad_filter);
  EXPECT_EQ(bad_filter->status, 400) << bad_filter->body;
}

TEST_F(ApiTest, StalePriceConflictListsCurrentPrices) {
  net::HttpClient client = server_->client();
  std::string body = order_body("c", {{"mug", 1}});
  body.replace(body.find("\"quantity\":1"), 12, "\"quantity\":1,\"price\":1000");
  auto response = client.post("/v1/orders", body);
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 409) << response->body;
  auto prices = parse_json(response->body).at("currentPrices").as_array();
  ASSERT_EQ(prices.size(), 1u);
  EXPECT_EQ(prices[0].at("productId").as_string(), "mug");
  EXPECT_EQ(prices[0].at("currentPrice").as_int64(), 1299);
}

TEST_F(ApiTest, CreatedOrderIsPricedFromTheCatalogWithTaxAndShipping) {
  net::HttpClient client = server_->client();
  auto response = client.post("/v1/orders", order_body("pricing", {{"mug", 3}}));
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 201) << response->body;
  EXPECT_FALSE(response->header("Location").empty());
  auto order = parse_json(response->body).as_object();
  EXPECT_EQ(order.at("status").as_string(), "PENDING");
  const auto& totals = order.at("totals").as_object();
  // 3 x 12.99 = 38.97; California 7.25 % = 2.825... -> 2.83; US shipping 5.99 below 50.00.
  EXPECT_EQ(totals.at("subtotal").as_int64(), 3897);
  EXPECT_EQ(totals.at("tax").as_int64(), 283);
  EXPECT_EQ(totals.at("shipping").as_int64(), 599);
  EXPECT_EQ(totals.at("total").as_int64(), 3897 + 283 + 599);
  EXPECT_EQ(totals.at("currency").as_string(), "USD");
  EXPECT_FALSE(order.contains("paymentToken"));
}

TEST_F(ApiTest, OrdersListByCustomerPagesWithACursor) {
  net::HttpClient client = server_->client();
  std::set<std::string> created;
  for (int i = 0; i < 7; ++i) {
    auto response = client.post("/v1/orders", order_body("pager", {{"mug", 1}}));
    ASSERT_EQ(response->status, 201);
    created.insert(std::string(parse_json(response->body).at("id").as_string()));
  }
  std::set<std::string> listed;
  std::string cursor;
  int pages = 0;
  do {
    std::string target = "/v1/orders?customerId=pager&limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor);
    auto response = client.get(target);
    ASSERT_EQ(response->status, 200) << response->body;
    auto page = parse_json(response->body).as_object();
    for (const auto& order : page.at("orders").as_array()) {
      EXPECT_EQ(order.at("customerId").as_string(), "pager");
      EXPECT_TRUE(listed.insert(std::string(order.at("id").as_string())).second);
    }
    cursor = page.at("nextCursor").is_null() ? "" : std::string(page.at("nextCursor").as_string());
    ++pages;
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(listed, created);
  EXPECT_EQ(pages, 3);
}

TEST_F(ApiTest, HealthAndReadiness) {
  net::HttpClient client = server_->client();
  auto health = client.get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto ready = client.get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  EXPECT_EQ(parse_json(ready->body).at("status").as_string(), "ready");
}

TEST_F(ApiTest, ASecondProcessOnTheSameDataDirectoryIsRefused) {
  OrderflowProcess second(server_->data_dir());
  EXPECT_FALSE(second.start(10'000));
  EXPECT_NE(server_->log_tail().find("another orderflow process is using the data directory"), std::string::npos)
      << server_->log_tail();
  net::HttpClient client = server_->client();
  auto health = client.get("/healthz");  // the first one is unharmed
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST_F(ApiTest, GracefulStopExitsCleanlyAndKeepsData) {
  TempDirectory dir;
  OrderflowProcess server(dir.path());
  ASSERT_TRUE(server.start());
  net::HttpClient client = server.client();
  add_product(client, "keep", 100, 3);
  EXPECT_EQ(server.terminate(), 0) << server.log_tail();
  ASSERT_TRUE(server.start());
  net::HttpClient again = server.client();
  Stock stock = get_stock(again, "keep");
  EXPECT_EQ(stock.on_hand, 3);
}

}  // namespace
}  // namespace of::e2e
