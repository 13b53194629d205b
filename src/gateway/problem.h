// The one table that maps a Status to an HTTP answer (RFC 9457 problem+json).
#pragma once

#include <string_view>

#include "base/status.h"
#include "net/http.h"

namespace of::gateway {

// kInvalidArgument 400, kNotFound 404, kConflict 409, kLimitExceeded 429 (422
// when it names a request field), kUnavailable 503, kInternal 500 (details
// logged, not shown). Retry-After on 429 and 503.
net::HttpResponse problem_response(const Status& status);

net::HttpResponse problem(int http_status, std::string_view type, std::string_view title, std::string_view detail);

}  // namespace of::gateway
