// CatalogService: the products orderflow sells and their prices.
//
// Admin writes go through the store writer; prices are in the catalog currency
// only (one currency per shop today). Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "codec/api_json.h"
#include "services/common/context.h"
#include "store/store.h"

namespace of::services {

class CatalogService {
 public:
  CatalogService(store::Store& store, ServiceContext& context, core::Currency catalog_currency);

  // Creates or replaces a product. kInvalidArgument for a currency other than
  // the catalog's or an unknown tax class.
  void put_product(const Sku& id, codec::ProductUpdate update, std::function<void(Result<core::Product>)> done);
  Result<std::vector<core::Product>> list_products(const std::optional<Sku>& after, int limit);
  Result<core::Product> get_product(const Sku& id);

  // Makes sure a product (and its stock row) exists; used by the demo catalog.
  static Status seed(store::Tx& tx, const core::Product& product, int64_t on_hand);

 private:
  store::Store& store_;
  ServiceContext& context_;
  core::Currency catalog_currency_;
};

}  // namespace of::services
