// Status and Result<T>: how orderflow reports expected failures.
//
// Expected failures (bad input, missing rows, conflicts, limits, an unreachable
// dependency) are values, never exceptions. The small set of codes maps to HTTP
// in one table (gateway/problem.cc). Programmer errors use OF_ASSERT instead.
// Thread-safety: values; copy freely.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "base/assert.h"

namespace of {

enum class Code {
  kOk,
  kInvalidArgument,  // the caller sent something wrong; retrying the same thing fails again
  kNotFound,
  kConflict,         // the request contradicts current state (stale price, illegal transition)
  kLimitExceeded,    // a named bound was hit (body size, queue depth, rate)
  kUnavailable,      // transient: a dependency is down or slow; retry later
  kInternal,         // a bug or a corrupt store
};

std::string_view code_name(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message, std::string field = {})
      : code_(code), message_(std::move(message)), field_(std::move(field)) {}

  static Status ok() { return Status(); }
  static Status invalid(std::string message, std::string field = {}) {
    return {Code::kInvalidArgument, std::move(message), std::move(field)};
  }
  static Status not_found(std::string message) { return {Code::kNotFound, std::move(message)}; }
  static Status conflict(std::string message, std::string field = {}) {
    return {Code::kConflict, std::move(message), std::move(field)};
  }
  static Status limit(std::string message, std::string field = {}) {
    return {Code::kLimitExceeded, std::move(message), std::move(field)};
  }
  static Status unavailable(std::string message) { return {Code::kUnavailable, std::move(message)}; }
  static Status internal(std::string message) { return {Code::kInternal, std::move(message)}; }

  bool is_ok() const { return code_ == Code::kOk; }
  explicit operator bool() const { return is_ok(); }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // The request field the error is about (a JSON pointer such as "/lines/2/quantity"), or empty.
  const std::string& field() const { return field_; }
  std::string to_string() const;

  // Optional problem details for the HTTP edge: a short slug naming the kind of
  // problem ("out-of-stock", "price-changed") and a JSON object whose members
  // are added to the problem+json body (e.g. the current prices).
  Status&& with_problem(std::string type, std::string details_json = {}) && {
    problem_type_ = std::move(type);
    details_json_ = std::move(details_json);
    return std::move(*this);
  }
  const std::string& problem_type() const { return problem_type_; }
  const std::string& details_json() const { return details_json_; }

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::string field_;
  std::string problem_type_;
  std::string details_json_;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : value_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    OF_ASSERT(!std::get<Status>(value_).is_ok());
  }

  bool is_ok() const { return std::holds_alternative<T>(value_); }
  explicit operator bool() const { return is_ok(); }
  const Status& status() const {
    static const Status kOkStatus;
    return is_ok() ? kOkStatus : std::get<Status>(value_);
  }
  T& value() & {
    OF_ASSERT(is_ok());
    return std::get<T>(value_);
  }
  const T& value() const& {
    OF_ASSERT(is_ok());
    return std::get<T>(value_);
  }
  T&& value() && {
    OF_ASSERT(is_ok());
    return std::get<T>(std::move(value_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> value_;
};

}  // namespace of

// Early return on a non-ok Status.
#define OF_RETURN_IF_ERROR(expr)                 \
  do {                                           \
    ::of::Status of_status_ = (expr);            \
    if (!of_status_.is_ok()) return of_status_;  \
  } while (0)

#define OF_CONCAT_INNER(a, b) a##b
#define OF_CONCAT(a, b) OF_CONCAT_INNER(a, b)

// `OF_ASSIGN_OR_RETURN(auto x, expr)`: unwraps a Result<T> or returns its Status.
#define OF_ASSIGN_OR_RETURN(lhs, expr) OF_ASSIGN_OR_RETURN_IMPL(OF_CONCAT(of_result_, __LINE__), lhs, expr)
#define OF_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.is_ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
