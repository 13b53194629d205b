// Strict reading of JSON documents, shared by the codec/ decoders. Private to
// codec/: nothing outside this folder includes it, so Boost.JSON stays an
// implementation detail of the codec library.
//
// A decoder reads a document top to bottom through ObjectReader/ArrayReader.
// The first problem found is kept in one Status that the readers share; every
// later read returns a default value, so a decoder reads straight through and
// checks the Status once at the end. Messages never echo a value back (it may
// be a card number or megabytes of junk), only field names, and the Status
// field() is a JSON pointer ("/lines/2/quantity").
//
// Limits: documents nest at most kJsonDepthMax deep; duplicate keys are refused
// (two parsers that pick different duplicates are a classic smuggling bug).
// Thread-safety: values; one decoder call at a time per reader.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "codec/api_json.h"
#include "core/money.h"

namespace of::codec::detail {

// Parses one JSON document. Malformed text, trailing data, nesting deeper than
// kJsonDepthMax and duplicate keys are kInvalidArgument
// "<what> is not valid JSON: ...".
Result<boost::json::value> parse_json(std::string_view text, std::string_view what);

enum class Charset {
  kText,            // any Unicode text without control characters
  kId,              // [A-Za-z0-9._:-]
  kPrintableAscii,  // 0x20..0x7E
  kUpperLetters,    // A-Z
  kAnything,        // stored data: no check beyond the length
};

// What a string member must look like. Lengths count Unicode code points.
struct TextRule {
  size_t min_length = 0;
  size_t max_length = std::numeric_limits<size_t>::max();
  Charset charset = Charset::kAnything;
};

inline constexpr TextRule kIdRule{1, kIdLengthMax, Charset::kId};
inline constexpr TextRule kRequiredTextRule{1, kTextLengthMax, Charset::kText};
inline constexpr TextRule kOptionalTextRule{0, kTextLengthMax, Charset::kText};
inline constexpr TextRule kCurrencyCodeRule{3, 3, Charset::kUpperLetters};
inline constexpr TextRule kCountryCodeRule{2, 2, Charset::kUpperLetters};
inline constexpr TextRule kAnyStringRule{0, std::numeric_limits<size_t>::max(), Charset::kAnything};
inline constexpr TextRule kNonEmptyStringRule{1, std::numeric_limits<size_t>::max(), Charset::kAnything};

// Whether members not listed as allowed are an error (client input and the
// brief's event schemas) or skipped (stored rows and other events, so that a
// newer writer does not break an older reader).
enum class UnknownFields { kReject, kIgnore };

// "/a" + "b~c/d" -> "/a/b~0c~1d" (RFC 6901 escaping).
std::string pointer_join(std::string_view pointer, std::string_view key);
std::string pointer_join(std::string_view pointer, size_t index);

class ArrayReader;

class ObjectReader {
 public:
  // Reads `value` (null when the member was missing; then every read is inert).
  // `name` is how messages call the object ("body", "shippingAddress", "lines[2]").
  // `allowed` lists every member a decoder may read; the names must outlive the
  // reader (string literals), since only views are kept.
  ObjectReader(Status* status, const boost::json::value* value, std::string pointer, std::string name,
               std::initializer_list<std::string_view> allowed, UnknownFields unknown);

  bool ok() const { return status_->is_ok(); }
  // True when the member is present and not null.
  bool has(std::string_view key) const;

  std::string text(std::string_view key, const TextRule& rule);
  // Absent or null: nullopt.
  std::optional<std::string> optional_text(std::string_view key, const TextRule& rule);
  int64_t integer(std::string_view key, int64_t min, int64_t max);
  std::optional<int64_t> optional_integer(std::string_view key, int64_t min, int64_t max);
  bool boolean(std::string_view key);
  // An RFC 3339 timestamp string.
  TimeMs time(std::string_view key);
  std::optional<TimeMs> optional_time(std::string_view key);
  ObjectReader object(std::string_view key, std::initializer_list<std::string_view> allowed, UnknownFields unknown);
  ArrayReader array(std::string_view key, size_t min_size, size_t max_size);
  // The member as it is (null when absent), for members carried through opaque.
  const boost::json::value* raw(std::string_view key);

  // Records a problem with a member found by the decoder itself (cross-field rules).
  void fail(std::string_view key, std::string message);
  const std::string& pointer() const { return pointer_; }

 private:
  // The member, or null when absent or when an earlier read failed.
  const boost::json::value* find(std::string_view key) const;
  const boost::json::value* require(std::string_view key);

  Status* status_;
  const boost::json::object* object_ = nullptr;
  std::string pointer_;
  std::string name_;
  std::vector<std::string_view> allowed_;
};

class ArrayReader {
 public:
  ArrayReader(Status* status, const boost::json::array* array, std::string pointer, std::string name)
      : status_(status), array_(array), pointer_(std::move(pointer)), name_(std::move(name)) {}

  // 0 when the array was missing or an earlier read failed.
  size_t size() const { return status_->is_ok() && array_ != nullptr ? array_->size() : 0; }
  ObjectReader object(size_t index, std::initializer_list<std::string_view> allowed, UnknownFields unknown);

 private:
  Status* status_;
  const boost::json::array* array_;
  std::string pointer_;
  std::string name_;
};

// Reads `value` (null: inert) as an array of min_size..max_size entries; for a
// document whose top level is an array, and for ObjectReader::array.
ArrayReader read_array(Status* status, const boost::json::value* value, std::string pointer, std::string name,
                       size_t min_size, size_t max_size);

// True for 13..19 digits, optionally grouped with spaces or dashes, that pass the
// Luhn check: what a raw card number looks like.
bool looks_like_card_number(std::string_view text);

// A JSON value for an optional time or string: null when absent.
boost::json::value time_or_null(std::optional<TimeMs> time_ms);

}  // namespace of::codec::detail
