#include "base/status.h"

#include <cstdio>
#include <cstdlib>

namespace of {

std::string_view code_name(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kInvalidArgument: return "invalid_argument";
    case Code::kNotFound: return "not_found";
    case Code::kConflict: return "conflict";
    case Code::kLimitExceeded: return "limit_exceeded";
    case Code::kUnavailable: return "unavailable";
    case Code::kInternal: return "internal";
  }
  return "unknown";
}

std::string Status::to_string() const {
  if (is_ok()) return "ok";
  std::string out(code_name(code_));
  out += ": ";
  out += message_;
  if (!field_.empty()) {
    out += " (at ";
    out += field_;
    out += ")";
  }
  return out;
}

namespace detail {
void assert_failed(const char* expr, const char* file, int line, const char* message) {
  std::fprintf(stderr, "orderflow: assertion failed: %s at %s:%d%s%s\n", expr, file, line,
               message ? ": " : "", message ? message : "");
  std::fflush(stderr);
  std::abort();
}
}  // namespace detail

}  // namespace of
