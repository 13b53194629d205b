#include "gateway/problem.h"

#include "base/log.h"
#include "codec/api_json.h"

namespace of::gateway {

namespace {

struct Mapping {
  int http_status;
  std::string_view type;
  std::string_view title;
};

Mapping mapping_for(const Status& status) {
  switch (status.code()) {
    case Code::kOk: break;
    case Code::kInvalidArgument: return {400, "invalid-request", "The request is not valid"};
    case Code::kNotFound: return {404, "not-found", "Not found"};
    case Code::kConflict:
      // A key sent again with another request: 422, as the IETF Idempotency-Key draft asks.
      if (status.problem_type() == "idempotency-key-reused") {
        return {422, "idempotency-key-reused", "The Idempotency-Key was used for a different request"};
      }
      return {409, "conflict", "The request conflicts with the current state"};
    case Code::kLimitExceeded:
      if (!status.field().empty()) return {422, "limit-exceeded", "A value exceeds a limit"};
      return {429, "too-many-requests", "Too many requests"};
    case Code::kUnavailable: return {503, "unavailable", "Temporarily unavailable"};
    case Code::kInternal: return {500, "internal", "Internal error"};
  }
  return {500, "internal", "Internal error"};
}

}  // namespace

net::HttpResponse problem(int http_status, std::string_view type, std::string_view title, std::string_view detail) {
  net::HttpResponse response;
  response.status = http_status;
  response.content_type = "application/problem+json";
  response.body = codec::encode_problem(type, title, http_status, detail);
  return response;
}

net::HttpResponse problem_response(const Status& status) {
  Mapping mapping = mapping_for(status);
  std::string_view type = status.problem_type().empty() ? mapping.type : std::string_view(status.problem_type());
  net::HttpResponse response;
  response.status = mapping.http_status;
  response.content_type = "application/problem+json";
  if (status.code() == Code::kInternal) {
    OF_LOG_ERROR("internal error answered with 500: {}", status.to_string());
    response.body = codec::encode_problem(type, mapping.title, mapping.http_status,
                                          "orderflow hit an internal error; the details are in its log");
  } else {
    response.body = codec::encode_problem(type, mapping.title, mapping.http_status, status.message(),
                                          status.field(), status.details_json());
  }
  if (mapping.http_status == 429 || mapping.http_status == 503) response.headers.emplace_back("Retry-After", "1");
  return response;
}

}  // namespace of::gateway
