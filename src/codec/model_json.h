// JSON for the parts of stored records that a store keeps as one JSON column
// (an order's lines and address, a reservation's items). Compact, camelCase,
// stable: rows written by one version must decode in the next.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "core/model.h"

namespace of::codec {

std::string encode_address(const core::Address& address);
Result<core::Address> decode_address(std::string_view json);

std::string encode_order_lines(const std::vector<core::OrderLine>& lines);
Result<std::vector<core::OrderLine>> decode_order_lines(std::string_view json);

std::string encode_reserved_items(const std::vector<core::ReservedItem>& items);
Result<std::vector<core::ReservedItem>> decode_reserved_items(std::string_view json);

}  // namespace of::codec
