// The services wired together in one process on real adapters: the order
// lifecycle, redelivery of every event with no second effect, reservation
// expiry, and the release path on declined payments. Parameterised over the
// store adapters.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "bus/embedded/embedded_bus.h"
#include "core/events.h"
#include "jobs/job_runner.h"
#include "providers/log_channel.h"
#include "providers/simulated_carrier.h"
#include "providers/simulated_gateway.h"
#include "services/catalog/catalog_service.h"
#include "services/common/lifecycle.h"
#include "services/fulfillment/fulfillment_service.h"
#include "services/inventory/inventory_service.h"
#include "services/notifications/notification_service.h"
#include "services/orders/order_service.h"
#include "services/payments/payment_service.h"
#include "store/memory/memory_store.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace of {
namespace {

using core::OrderStatus;

struct Options {
  bool with_payments = true;
  int64_t reservation_ttl_ms = 60'000;
  bool start_bus = true;  // false: orders pile up in the log until start_bus()
};

// One process's worth of orderflow without HTTP.
class Pipeline {
 public:
  Pipeline(const std::string& store_kind, const std::filesystem::path& dir, Options options)
      : random_(42), ids_(clock_, random_), context_{clock_, random_, ids_}, gateway_(random_, {}) {
    if (store_kind == "sqlite") {
      store::SqliteStoreOptions store_options;
      store_options.path = (dir / "pipeline.db").string();
      store_options.synchronous_full = false;
      store_ = std::make_unique<store::SqliteStore>(store_options);
    } else {
      store_ = std::make_unique<store::MemoryStore>();
    }
    bus_ = std::make_unique<bus::EmbeddedBus>(*store_, clock_, random_, bus::EmbeddedBusOptions{});
    jobs::JobRunnerOptions job_options;
    job_options.worker_threads = 4;
    jobs_ = std::make_unique<jobs::JobRunner>(*store_, clock_, random_, job_options);
    currency_ = core::Currency::parse("USD").value();
    orders_ = std::make_unique<services::OrderService>(
        *store_, context_,
        services::OrderServiceOptions{currency_, core::TaxTable({{"US", "", "", 1000}}),
                                      core::ShippingTable({{"*", 500, 0}})});
    services::InventoryOptions inventory_options;
    inventory_options.reservation_ttl_ms = options.reservation_ttl_ms;
    inventory_ = std::make_unique<services::InventoryService>(*store_, context_, inventory_options);
    payments_ = std::make_unique<services::PaymentService>(context_, gateway_, services::PaymentOptions{});
    fulfillment_ = std::make_unique<services::FulfillmentService>(context_, carrier_,
                                                                  services::FulfillmentOptions{10});
    notifications_ = std::make_unique<services::NotificationService>(context_);
    EXPECT_TRUE(channel_.open((dir / "notifications.log").string()).is_ok());
    notifications_->add_channel(channel_);
    bus::RetryPolicy retry{5, 10, 100};
    inventory_->register_with(*bus_, *jobs_, retry);
    if (options.with_payments) payments_->register_with(*bus_, *jobs_, retry);
    fulfillment_->register_with(*bus_, *jobs_, retry);
    notifications_->register_with(*bus_, *jobs_, retry);
    EXPECT_TRUE(store_->start().is_ok());
    if (options.start_bus) start_bus();
    EXPECT_TRUE(jobs_->start().is_ok());
  }

  void start_bus() { EXPECT_TRUE(bus_->start().is_ok()); }

  ~Pipeline() {
    jobs_->stop();
    bus_->stop();
    store_->stop();
  }

  void add_product(const std::string& id, int64_t price, int64_t on_hand) {
    core::Product product{Sku(id), "Product " + id, price, currency_, "standard", clock_.now_ms()};
    ASSERT_TRUE(store_->write([&](store::Tx& tx) { return services::CatalogService::seed(tx, product, on_hand); })
                    .is_ok());
  }

  Result<services::OrderView> place(const std::string& customer, std::vector<std::pair<std::string, int64_t>> lines,
                                    const std::string& token = "tok_visa") {
    codec::CreateOrderRequest request;
    request.customer_id = CustomerId(customer);
    request.currency = "USD";
    request.payment_token = token;
    request.shipping_address = {"Ada", "1 Main St", "", "Springfield", "IL", "62701", "US"};
    for (auto& [sku, quantity] : lines) request.lines.push_back({Sku(sku), quantity, std::nullopt});
    std::promise<Result<services::OrderView>> promise;
    auto future = promise.get_future();
    orders_->create_order(std::move(request), "", [&promise](Result<services::OrderView> result) {
      promise.set_value(std::move(result));
    });
    return future.get();
  }

  OrderStatus wait_for(const OrderId& id, std::function<bool(OrderStatus)> done, int64_t timeout_ms = 10'000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    OrderStatus status = OrderStatus::kPending;
    while (std::chrono::steady_clock::now() < deadline) {
      auto view = orders_->get_order(id);
      if (view) {
        status = view->order.status;
        if (done(status)) return status;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return status;
  }

  core::StockLevel stock(const std::string& id) { return inventory_->get_stock(Sku(id)).value(); }

  Result<core::StockLevel> set_stock(const std::string& id, int64_t on_hand,
                                     std::optional<int64_t> low_stock_threshold = std::nullopt) {
    std::promise<Result<core::StockLevel>> promise;
    auto future = promise.get_future();
    inventory_->set_on_hand(Sku(id), on_hand, low_stock_threshold,
                            [&promise](Result<core::StockLevel> result) { promise.set_value(std::move(result)); });
    return future.get();
  }

  // Events of `type` in the whole log.
  std::vector<core::Event> events_of_type(std::string_view type) {
    std::vector<core::Event> found;
    EXPECT_TRUE(store_
                    ->read([&](store::Tx& tx) -> Status {
                      int64_t after = 0;
                      while (true) {
                        OF_ASSIGN_OR_RETURN(auto page, tx.read_events(after, 1000));
                        if (page.empty()) return Status::ok();
                        for (auto& event : page) {
                          if (event.type == type) found.push_back(event);
                        }
                        after = page.back().seq;
                      }
                    })
                    .is_ok());
    return found;
  }

  // Everything observable that a second application of an event would change.
  std::string fingerprint() {
    std::string out;
    EXPECT_TRUE(store_
                    ->read([&](store::Tx& tx) -> Status {
                      OF_ASSIGN_OR_RETURN(auto levels, tx.list_stock(std::nullopt, 1000));
                      for (const auto& level : levels) {
                        out += level.product_id.str() + ":" + std::to_string(level.on_hand) + "/" +
                               std::to_string(level.reserved) + "/" + std::to_string(level.sold) + ";";
                      }
                      OF_ASSIGN_OR_RETURN(auto orders, tx.list_orders({std::nullopt, std::nullopt, std::nullopt, 1000}));
                      for (const auto& order : orders) {
                        out += order.id.str() + "=" + std::string(core::to_string(order.status)) + "@" +
                               std::to_string(order.version) + ";";
                      }
                      OF_ASSIGN_OR_RETURN(int64_t head, tx.last_event_seq());
                      out += "head=" + std::to_string(head);
                      return Status::ok();
                    })
                    .is_ok());
    return out;
  }

  // Waits until every subscription has handled the whole log and no job is due or running.
  void settle() {
    for (int i = 0; i < 2000; ++i) {
      int64_t head = 0, due = 0, running = 0;
      bool caught_up = true;
      ASSERT_TRUE(store_
                      ->read([&](store::Tx& tx) -> Status {
                        OF_ASSIGN_OR_RETURN(head, tx.last_event_seq());
                        // Jobs due now (a reservation's expiry timer is due much later).
                        OF_ASSIGN_OR_RETURN(auto due_jobs, tx.due_jobs(clock_.now_ms(), 1));
                        due = static_cast<int64_t>(due_jobs.size());
                        OF_ASSIGN_OR_RETURN(running, tx.count_jobs(core::JobState::kRunning));
                        for (const char* name : {"inventory", "payments", "fulfillment", "notifications"}) {
                          OF_ASSIGN_OR_RETURN(int64_t checkpoint, tx.get_checkpoint(name));
                          if (checkpoint < head) caught_up = false;
                        }
                        return Status::ok();
                      })
                      .is_ok());
      if (caught_up && due == 0 && running == 0) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL() << "pipeline did not settle";
  }

  // Rewinds every subscription to the start of the log: every event is delivered again.
  void redeliver_everything() {
    ASSERT_TRUE(store_
                    ->write([](store::Tx& tx) -> Status {
                      for (const char* name : {"inventory", "payments", "fulfillment", "notifications"}) {
                        OF_RETURN_IF_ERROR(tx.set_checkpoint(name, 0));
                      }
                      return Status::ok();
                    })
                    .is_ok());
    bus_->wake();
  }

  SystemClock clock_;
  Random random_;
  UuidV7Generator ids_;
  services::ServiceContext context_;
  providers::SimulatedGateway gateway_;
  providers::SimulatedCarrier carrier_;
  providers::LogChannel channel_;
  core::Currency currency_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<bus::EmbeddedBus> bus_;
  std::unique_ptr<jobs::JobRunner> jobs_;
  std::unique_ptr<services::OrderService> orders_;
  std::unique_ptr<services::InventoryService> inventory_;
  std::unique_ptr<services::PaymentService> payments_;
  std::unique_ptr<services::FulfillmentService> fulfillment_;
  std::unique_ptr<services::NotificationService> notifications_;
};

class PipelineTest : public ::testing::TestWithParam<std::string> {
 protected:
  testing::TempDir dir_;
};

TEST_P(PipelineTest, OrderGoesFromPendingToDeliveredWithStockSold) {
  Pipeline pipeline(GetParam(), dir_.path(), {});
  pipeline.add_product("mug", 1200, 10);
  auto created = pipeline.place("c-1", {{"mug", 2}, {"mug", 1}});
  ASSERT_TRUE(created) << created.status().to_string();
  EXPECT_EQ(created->order.status, OrderStatus::kPending);
  EXPECT_EQ(created->order.totals.subtotal_minor, 3600);
  EXPECT_EQ(created->order.totals.tax_minor, 360);
  EXPECT_EQ(created->order.totals.shipping_minor, 500);
  EXPECT_EQ(pipeline.wait_for(created->order.id, [](OrderStatus s) { return s == OrderStatus::kDelivered; }),
            OrderStatus::kDelivered);
  auto stock = pipeline.stock("mug");
  EXPECT_EQ(stock.on_hand, 7);
  EXPECT_EQ(stock.reserved, 0);
  EXPECT_EQ(stock.sold, 3);
  EXPECT_EQ(pipeline.gateway_.approved_charges_by_order()[created->order.id.str()], 1);
  auto history = pipeline.orders_->get_order(created->order.id)->history;
  std::vector<OrderStatus> statuses;
  for (const auto& change : history) statuses.push_back(change.to);
  EXPECT_EQ(statuses, (std::vector<OrderStatus>{OrderStatus::kPending, OrderStatus::kReserved, OrderStatus::kPaid,
                                                OrderStatus::kShipped, OrderStatus::kDelivered}));
}

TEST_P(PipelineTest, RedeliveringEveryEventChangesNothing) {
  Pipeline pipeline(GetParam(), dir_.path(), {});
  pipeline.add_product("mug", 1200, 50);
  std::vector<OrderId> ids;
  for (int i = 0; i < 20; ++i) {
    auto created = pipeline.place("c-" + std::to_string(i), {{"mug", 1}}, i % 4 == 0 ? "tok_decline" : "tok_visa");
    ASSERT_TRUE(created);
    ids.push_back(created->order.id);
  }
  for (const auto& id : ids) pipeline.wait_for(id, core::is_terminal);
  pipeline.settle();
  std::string before = pipeline.fingerprint();
  std::ifstream notifications_before(dir_.path() / "notifications.log");
  std::string log_before((std::istreambuf_iterator<char>(notifications_before)), {});
  const int64_t charges_before = pipeline.gateway_.charge_calls();

  pipeline.redeliver_everything();
  pipeline.settle();
  EXPECT_EQ(pipeline.fingerprint(), before);
  std::ifstream notifications_after(dir_.path() / "notifications.log");
  std::string log_after((std::istreambuf_iterator<char>(notifications_after)), {});
  EXPECT_EQ(log_after, log_before) << "a redelivered event sent a notification again";
  EXPECT_EQ(pipeline.gateway_.charge_calls(), charges_before);
  // The bus counts a duplicate when its dispatch unit's done() runs, just after
  // the commit that settle() can already see.
  for (int i = 0; i < 500 && pipeline.bus_->stats().skipped_duplicates == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GT(pipeline.bus_->stats().skipped_duplicates, 0);
}

TEST_P(PipelineTest, DeclinedPaymentReleasesStockAndCancels) {
  Pipeline pipeline(GetParam(), dir_.path(), {});
  pipeline.add_product("tee", 2500, 3);
  auto created = pipeline.place("c-1", {{"tee", 3}}, "tok_insufficient_funds");
  ASSERT_TRUE(created);
  EXPECT_EQ(pipeline.wait_for(created->order.id, core::is_terminal), OrderStatus::kCancelled);
  pipeline.settle();
  auto stock = pipeline.stock("tee");
  EXPECT_EQ(stock.reserved, 0);
  EXPECT_EQ(stock.on_hand, 3);
  EXPECT_EQ(stock.sold, 0);
  auto history = pipeline.orders_->get_order(created->order.id)->history;
  ASSERT_GE(history.size(), 4u);
  EXPECT_EQ(history[2].to, OrderStatus::kPaymentFailed);
  EXPECT_EQ(history[3].to, OrderStatus::kCancelled);
}

TEST_P(PipelineTest, UnpaidReservationIsReleasedAtExpiry) {
  // No payment service: nothing pays, so the reservation must lapse by itself.
  Pipeline pipeline(GetParam(), dir_.path(), {.with_payments = false, .reservation_ttl_ms = 300});
  pipeline.add_product("kettle", 8900, 2);
  auto created = pipeline.place("c-1", {{"kettle", 2}});
  ASSERT_TRUE(created);
  EXPECT_EQ(pipeline.wait_for(created->order.id, [](OrderStatus s) { return s == OrderStatus::kReserved; }),
            OrderStatus::kReserved);
  EXPECT_EQ(pipeline.stock("kettle").reserved, 2);
  EXPECT_EQ(pipeline.wait_for(created->order.id, core::is_terminal), OrderStatus::kCancelled);
  auto stock = pipeline.stock("kettle");
  EXPECT_EQ(stock.reserved, 0);
  EXPECT_EQ(stock.available(), 2);
}

TEST_P(PipelineTest, ReservationIsAllOrNothingOverSummedLines) {
  // Both orders are accepted before the inventory service sees either (the
  // bus starts afterwards), so the availability check at creation passes for
  // both; the reservation then finds "b" taken and must fail the second order
  // whole, leaving "a" untouched.
  Pipeline pipeline(GetParam(), dir_.path(), {.start_bus = false});
  pipeline.add_product("a", 100, 5);
  pipeline.add_product("b", 100, 1);
  auto first = pipeline.place("c-1", {{"b", 1}});
  auto second = pipeline.place("c-2", {{"a", 2}, {"b", 1}});
  ASSERT_TRUE(first);
  ASSERT_TRUE(second);
  pipeline.start_bus();
  EXPECT_EQ(pipeline.wait_for(second->order.id, core::is_terminal), OrderStatus::kRejected);
  EXPECT_EQ(pipeline.wait_for(first->order.id, core::is_terminal), OrderStatus::kDelivered);
  pipeline.settle();
  auto a = pipeline.stock("a");
  EXPECT_EQ(a.reserved, 0);
  EXPECT_EQ(a.on_hand, 5);
  EXPECT_EQ(pipeline.stock("b").sold, 1);
}

TEST_P(PipelineTest, CancelAfterPaymentRefunds) {
  Pipeline pipeline(GetParam(), dir_.path(), {});
  pipeline.add_product("poster", 4500, 5);
  // Cancel races the pipeline; whichever state it meets, the outcome is consistent.
  auto created = pipeline.place("c-1", {{"poster", 1}});
  ASSERT_TRUE(created);
  pipeline.wait_for(created->order.id, [](OrderStatus s) { return s != OrderStatus::kPending; });
  std::promise<Result<services::OrderView>> promise;
  pipeline.orders_->cancel_order(created->order.id, "test",
                                 [&](Result<services::OrderView> result) { promise.set_value(std::move(result)); });
  auto cancelled = promise.get_future().get();
  pipeline.settle();
  auto final_status = pipeline.orders_->get_order(created->order.id)->order.status;
  auto stock = pipeline.stock("poster");
  if (cancelled) {
    EXPECT_TRUE(final_status == OrderStatus::kCancelled || final_status == OrderStatus::kRefunded);
    EXPECT_EQ(stock.on_hand, 5);
    EXPECT_EQ(stock.reserved, 0);
    if (final_status == OrderStatus::kRefunded) {
      EXPECT_EQ(pipeline.orders_->get_order(created->order.id)->order.refunded_minor, created->order.totals.total_minor);
    }
  } else {
    EXPECT_EQ(cancelled.status().code(), Code::kConflict);  // it had shipped already
    EXPECT_EQ(stock.sold, 1);
  }
}

TEST_P(PipelineTest, LowStockFiresOncePerCrossing) {
  Pipeline pipeline(GetParam(), dir_.path(), {});
  pipeline.add_product("lamp", 1000, 10);
  auto configured = pipeline.set_stock("lamp", 10, 5);
  ASSERT_TRUE(configured) << configured.status().to_string();
  EXPECT_EQ(configured->low_stock_threshold, 5);
  auto deliver = [&](int64_t quantity) {
    auto created = pipeline.place("c-low", {{"lamp", quantity}});
    ASSERT_TRUE(created) << created.status().to_string();
    EXPECT_EQ(pipeline.wait_for(created->order.id, [](OrderStatus s) { return s == OrderStatus::kDelivered; }),
              OrderStatus::kDelivered);
    pipeline.settle();
  };
  auto low_stock_events = [&] { return pipeline.events_of_type(core::event_type::kLowStock).size(); };

  deliver(4);  // 10 -> 6: above the threshold
  EXPECT_EQ(pipeline.stock("lamp").available(), 6);
  EXPECT_EQ(low_stock_events(), 0u);

  deliver(2);  // 6 -> 4: crosses below 5
  EXPECT_EQ(pipeline.stock("lamp").available(), 4);
  auto events = pipeline.events_of_type(core::event_type::kLowStock);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].subject, "lamp");
  EXPECT_EQ(events[0].source, services::kSourceInventory);
  EXPECT_NE(events[0].data_json.find("\"threshold\":5"), std::string::npos) << events[0].data_json;
  EXPECT_NE(events[0].data_json.find("\"available\":4"), std::string::npos) << events[0].data_json;
  EXPECT_TRUE(pipeline.stock("lamp").low_stock_alerted);

  deliver(2);  // 4 -> 2: still below, no second event
  EXPECT_EQ(pipeline.stock("lamp").available(), 2);
  EXPECT_EQ(low_stock_events(), 1u);

  auto restocked = pipeline.set_stock("lamp", 20);  // recovered: re-armed, no event
  ASSERT_TRUE(restocked) << restocked.status().to_string();
  EXPECT_FALSE(restocked->low_stock_alerted);
  EXPECT_EQ(restocked->low_stock_threshold, 5);  // kept when the update does not name it
  EXPECT_EQ(low_stock_events(), 1u);

  deliver(16);  // 20 -> 4: a second crossing
  EXPECT_EQ(low_stock_events(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Stores, PipelineTest, ::testing::Values("memory", "sqlite"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace of
