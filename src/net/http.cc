#include "net/http.h"

#include <cstddef>

namespace of::net {
namespace {

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Form-style decoding for query components: '+' is a space, then %XX escapes.
std::string decode_query_component(std::string_view text) {
  std::string plus_decoded(text);
  for (char& c : plus_decoded) {
    if (c == '+') c = ' ';
  }
  return percent_decode(plus_decoded);
}

// Calls visit(raw_name, raw_value) for each '&'-separated pair until it returns true.
template <class Visit>
bool find_query_pair(std::string_view query, std::string_view name, Visit visit) {
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = (amp == std::string_view::npos) ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    std::string_view raw_name = pair.substr(0, eq);
    std::string_view raw_value = (eq == std::string_view::npos) ? std::string_view() : pair.substr(eq + 1);
    if (decode_query_component(raw_name) == name) {
      visit(raw_value);
      return true;
    }
  }
  return false;
}

}  // namespace

std::string_view find_header(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (equals_ignore_case(key, name)) return value;
  }
  return {};
}

std::string HttpRequest::query_param(std::string_view name) const {
  std::string result;
  find_query_pair(query, name, [&](std::string_view raw_value) { result = decode_query_component(raw_value); });
  return result;
}

bool HttpRequest::has_query_param(std::string_view name) const {
  return find_query_pair(query, name, [](std::string_view) {});
}

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      int high = hex_value(text[i + 1]);
      int low = hex_value(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out += static_cast<char>((high << 4) | low);
        i += 2;
        continue;
      }
    }
    // A '%' that does not start a valid escape is kept literally.
    out += c;
  }
  return out;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

}  // namespace of::net
