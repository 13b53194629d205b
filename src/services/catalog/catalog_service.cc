#include "services/catalog/catalog_service.h"

#include <memory>

namespace of::services {

CatalogService::CatalogService(store::Store& store, ServiceContext& context, core::Currency catalog_currency)
    : store_(store), context_(context), catalog_currency_(std::move(catalog_currency)) {}

void CatalogService::put_product(const Sku& id, codec::ProductUpdate update,
                                 std::function<void(Result<core::Product>)> done) {
  if (update.currency != catalog_currency_.code()) {
    done(Status::invalid("products are priced in the catalog currency " + catalog_currency_.code() + ", not " +
                             update.currency,
                         "/currency"));
    return;
  }
  auto product = std::make_shared<core::Product>();
  product->id = id;
  product->name = std::move(update.name);
  product->price_minor = update.price_minor;
  product->currency = catalog_currency_;
  product->tax_class = std::move(update.tax_class);
  product->updated_at_ms = context_.now_ms();
  store_.submit([product](store::Tx& tx) { return tx.put_product(*product); },
                [product, done = std::move(done)](const Status& status) {
                  if (!status.is_ok()) {
                    done(status);
                    return;
                  }
                  done(*product);
                });
}

Result<std::vector<core::Product>> CatalogService::list_products(const std::optional<Sku>& after, int limit) {
  std::vector<core::Product> products;
  OF_RETURN_IF_ERROR(store_.read([&](store::Tx& tx) -> Status {
    OF_ASSIGN_OR_RETURN(products, tx.list_products(after, limit));
    return Status::ok();
  }));
  return products;
}

Result<core::Product> CatalogService::get_product(const Sku& id) {
  std::optional<core::Product> product;
  OF_RETURN_IF_ERROR(store_.read([&](store::Tx& tx) -> Status {
    OF_ASSIGN_OR_RETURN(product, tx.get_product(id));
    return Status::ok();
  }));
  if (!product) return Status::not_found("product " + id.str() + " does not exist");
  return std::move(*product);
}

Status CatalogService::seed(store::Tx& tx, const core::Product& product, int64_t on_hand) {
  OF_ASSIGN_OR_RETURN(auto existing, tx.get_product(product.id));
  if (existing) return Status::ok();
  OF_RETURN_IF_ERROR(tx.put_product(product));
  core::StockLevel stock;
  stock.product_id = product.id;
  stock.on_hand = on_hand;
  stock.updated_at_ms = product.updated_at_ms;
  return tx.put_stock(stock);
}

}  // namespace of::services
