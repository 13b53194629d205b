// Plain HTTP/1.1 request and response values, shared by orderflow's server and
// client. No Boost.Beast here: Beast stays inside net/http_server.cc and
// net/http_client.cc, which are the only files that pay its compile time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace of::net {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive header lookup; empty when absent.
std::string_view find_header(const Headers& headers, std::string_view name);

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query as sent
  std::string path;    // percent-decoded path, no query
  std::string query;   // raw query string without '?'
  Headers headers;
  std::string body;
  std::string remote_address;

  std::string_view header(std::string_view name) const { return find_header(headers, name); }
  // First value of a query parameter, percent-decoded; empty when absent.
  std::string query_param(std::string_view name) const;
  bool has_query_param(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  Headers headers;  // extra headers
  std::string body;
};

std::string percent_decode(std::string_view text);
std::string percent_encode(std::string_view text);

}  // namespace of::net
