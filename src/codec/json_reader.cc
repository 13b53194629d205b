#include "codec/json_reader.h"

#include <boost/json/basic_parser_impl.hpp>
#include <unordered_set>
#include <utility>

namespace of::codec::detail {
namespace {

namespace json = boost::json;

// Member names longer than this are cut in messages and pointers: a client that
// sends a megabyte-long key should not get it back in the problem body.
constexpr size_t kQuotedKeyLengthMax = 64;

// A basic_parser handler that builds the value like boost::json::parser does and
// also refuses a key repeated within one object, which the stock parser accepts
// (the last one silently wins).
class StrictHandler {
 public:
  static constexpr size_t max_object_size = json::object::max_size();
  static constexpr size_t max_array_size = json::array::max_size();
  static constexpr size_t max_key_size = json::string::max_size();
  static constexpr size_t max_string_size = json::string::max_size();

  json::value_stack& stack() { return stack_; }
  const std::string& duplicate_key() const { return duplicate_key_; }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) {
    keys_.emplace_back();
    return true;
  }
  bool on_object_end(size_t size, json::error_code&) {
    keys_.pop_back();
    stack_.push_object(size);
    return true;
  }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(size_t size, json::error_code&) {
    stack_.push_array(size);
    return true;
  }
  bool on_key_part(json::string_view part, size_t, json::error_code&) {
    key_.append(part.data(), part.size());
    stack_.push_chars(part);
    return true;
  }
  bool on_key(json::string_view last, size_t, json::error_code& ec) {
    key_.append(last.data(), last.size());
    if (!keys_.back().insert(key_).second) {
      duplicate_key_ = std::move(key_);
      ec = json::error::syntax;
      return false;
    }
    key_.clear();
    stack_.push_key(last);
    return true;
  }
  bool on_string_part(json::string_view part, size_t, json::error_code&) {
    stack_.push_chars(part);
    return true;
  }
  bool on_string(json::string_view last, size_t, json::error_code&) {
    stack_.push_string(last);
    return true;
  }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(int64_t value, json::string_view, json::error_code&) {
    stack_.push_int64(value);
    return true;
  }
  bool on_uint64(uint64_t value, json::string_view, json::error_code&) {
    stack_.push_uint64(value);
    return true;
  }
  bool on_double(double value, json::string_view, json::error_code&) {
    stack_.push_double(value);
    return true;
  }
  bool on_bool(bool value, json::error_code&) {
    stack_.push_bool(value);
    return true;
  }
  bool on_null(json::error_code&) {
    stack_.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  json::value_stack stack_;
  std::vector<std::unordered_set<std::string>> keys_;  // one set per open object
  std::string key_;                                    // the key being assembled from parts
  std::string duplicate_key_;
};

// Cuts at a code point boundary so the result stays valid UTF-8.
std::string_view shorten(std::string_view text) {
  if (text.size() <= kQuotedKeyLengthMax) return text;
  size_t end = kQuotedKeyLengthMax;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

std::string quoted(std::string_view key) {
  std::string out = "\"";
  out += shorten(key);
  if (key.size() > kQuotedKeyLengthMax) out += "...";
  out += '"';
  return out;
}

std::string kind_phrase(const json::value& value) {
  switch (value.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "a boolean";
    case json::kind::int64:
    case json::kind::uint64: return "an integer";
    case json::kind::double_: return "a number with a fraction or exponent";
    case json::kind::string: return "a string";
    case json::kind::array: return "an array";
    case json::kind::object: return "an object";
  }
  return "an unknown JSON type";
}

size_t code_point_count(std::string_view text) {
  size_t count = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

bool is_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == ':' || c == '-';
}

std::string describe(const TextRule& rule) {
  std::string limits;
  if (rule.min_length == rule.max_length) {
    limits = "exactly " + std::to_string(rule.min_length);
  } else if (rule.min_length == 0) {
    limits = "at most " + std::to_string(rule.max_length);
  } else {
    limits = std::to_string(rule.min_length) + " to " + std::to_string(rule.max_length);
  }
  switch (rule.charset) {
    case Charset::kText: return "a string of " + limits + " characters";
    case Charset::kId: return "a string of " + limits + " letters, digits, '.', '_', ':' or '-'";
    case Charset::kPrintableAscii: return "a string of " + limits + " printable ASCII characters";
    case Charset::kUpperLetters: return "a string of " + limits + " upper-case letters (A-Z)";
    case Charset::kAnything:
      if (rule.max_length == std::numeric_limits<size_t>::max()) {
        return rule.min_length == 0 ? "a string" : "a non-empty string";
      }
      return "a string of " + limits + " characters";
  }
  return "a string";
}

// Empty when `text` obeys `rule`, else what is wrong, phrased after "<key> ".
std::string check_text(std::string_view text, const TextRule& rule) {
  std::string must = "must be " + describe(rule);
  size_t length = code_point_count(text);
  if (length < rule.min_length || length > rule.max_length) return must;
  switch (rule.charset) {
    case Charset::kText: {
      bool blank = true;
      for (char c : text) {
        auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7F) return "must not contain control characters";
        if (c != ' ') blank = false;
      }
      if (blank && rule.min_length > 0) return "must not be blank";
      return {};
    }
    case Charset::kId:
      for (char c : text) {
        if (!is_id_char(c)) return must;
      }
      return {};
    case Charset::kPrintableAscii:
      for (char c : text) {
        if (c < 0x20 || c > 0x7E) return must;
      }
      return {};
    case Charset::kUpperLetters:
      for (char c : text) {
        if (c < 'A' || c > 'Z') return must;
      }
      return {};
    case Charset::kAnything: return {};
  }
  return {};
}

std::string describe_integer(int64_t min, int64_t max) {
  if (max == std::numeric_limits<int64_t>::max()) return "an integer of at least " + std::to_string(min);
  return "an integer between " + std::to_string(min) + " and " + std::to_string(max);
}

}  // namespace

Result<json::value> parse_json(std::string_view text, std::string_view what) {
  json::parse_options options;
  options.max_depth = kJsonDepthMax;
  json::basic_parser<StrictHandler> parser(options);
  parser.handler().stack().reset();
  json::error_code ec;
  size_t consumed = parser.write_some(false, text.data(), text.size(), ec);
  std::string prefix = std::string(what) + " is not valid JSON: ";
  if (ec) {
    const std::string& duplicate = parser.handler().duplicate_key();
    if (!duplicate.empty()) {
      return Status::invalid(prefix + "the key " + quoted(duplicate) + " appears twice in one object");
    }
    if (ec == json::error::too_deep) {
      return Status::invalid(prefix + "nested deeper than " + std::to_string(kJsonDepthMax) + " levels");
    }
    if (ec == json::error::incomplete) return Status::invalid(prefix + "it ends before the value is complete");
    return Status::invalid(prefix + ec.message() + " near byte " + std::to_string(consumed));
  }
  if (consumed < text.size()) {
    return Status::invalid(prefix + "unexpected data after the value at byte " + std::to_string(consumed));
  }
  if (!parser.done()) return Status::invalid(prefix + "it ends before the value is complete");
  return parser.handler().stack().release();
}

std::string pointer_join(std::string_view pointer, std::string_view key) {
  std::string out(pointer);
  out += '/';
  for (char c : shorten(key)) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string pointer_join(std::string_view pointer, size_t index) {
  return std::string(pointer) + "/" + std::to_string(index);
}

ObjectReader::ObjectReader(Status* status, const json::value* value, std::string pointer, std::string name,
                           std::initializer_list<std::string_view> allowed, UnknownFields unknown)
    : status_(status), pointer_(std::move(pointer)), name_(std::move(name)), allowed_(allowed) {
  OF_ASSERT(status_ != nullptr);
  if (!status_->is_ok() || value == nullptr) return;
  if (!value->is_object()) {
    *status_ = Status::invalid(name_ + " must be a JSON object, not " + kind_phrase(*value), pointer_);
    return;
  }
  object_ = &value->get_object();
  if (unknown == UnknownFields::kIgnore) return;
  // Unknown members are reported before anything else: a misspelt optional
  // member would otherwise be silently dropped, and a misspelt required one
  // would be reported as missing rather than as the typo it is.
  for (const auto& member : *object_) {
    std::string_view key(member.key().data(), member.key().size());
    bool known = false;
    for (std::string_view candidate : allowed_) known = known || candidate == key;
    if (known) continue;
    std::string message = "unknown field " + quoted(key) + " in " + name_ + "; allowed fields are ";
    for (size_t i = 0; i < allowed_.size(); ++i) {
      if (i > 0) message += ", ";
      message += allowed_[i];
    }
    *status_ = Status::invalid(std::move(message), pointer_join(pointer_, key));
    return;
  }
}

const json::value* ObjectReader::find(std::string_view key) const {
  bool listed = false;
  for (std::string_view candidate : allowed_) listed = listed || candidate == key;
  OF_ASSERT_MSG(listed, "a decoder reads a member it did not list as allowed");
  if (!status_->is_ok() || object_ == nullptr) return nullptr;
  return object_->if_contains(json::string_view(key.data(), key.size()));
}

bool ObjectReader::has(std::string_view key) const {
  const json::value* value = find(key);
  return value != nullptr && !value->is_null();
}

void ObjectReader::fail(std::string_view key, std::string message) {
  if (!status_->is_ok()) return;
  *status_ = Status::invalid(std::move(message), pointer_join(pointer_, key));
}

const json::value* ObjectReader::require(std::string_view key) {
  if (!status_->is_ok() || object_ == nullptr) return nullptr;
  const json::value* value = find(key);
  if (value == nullptr) fail(key, std::string(key) + " is required");
  return value;
}

std::string ObjectReader::text(std::string_view key, const TextRule& rule) {
  const json::value* value = require(key);
  if (value == nullptr) return {};
  if (!value->is_string()) {
    fail(key, std::string(key) + " must be " + describe(rule) + ", not " + kind_phrase(*value));
    return {};
  }
  std::string_view text(value->get_string().data(), value->get_string().size());
  std::string problem = check_text(text, rule);
  if (!problem.empty()) {
    fail(key, std::string(key) + " " + problem);
    return {};
  }
  return std::string(text);
}

std::optional<std::string> ObjectReader::optional_text(std::string_view key, const TextRule& rule) {
  if (!has(key)) return std::nullopt;
  std::string value = text(key, rule);
  if (!ok()) return std::nullopt;
  return value;
}

int64_t ObjectReader::integer(std::string_view key, int64_t min, int64_t max) {
  const json::value* value = require(key);
  if (value == nullptr) return 0;
  std::string must = std::string(key) + " must be " + describe_integer(min, max);
  // JSON integers only: 1.0, 1e3 and "1" are refused rather than converted, so a
  // client bug shows up here instead of as a surprising quantity.
  if (value->is_uint64()) {
    fail(key, must);  // above INT64_MAX, so above any bound
    return 0;
  }
  if (!value->is_int64()) {
    fail(key, must + ", not " + kind_phrase(*value));
    return 0;
  }
  int64_t number = value->get_int64();
  if (number < min || number > max) {
    fail(key, must);
    return 0;
  }
  return number;
}

std::optional<int64_t> ObjectReader::optional_integer(std::string_view key, int64_t min, int64_t max) {
  if (!has(key)) return std::nullopt;
  int64_t value = integer(key, min, max);
  if (!ok()) return std::nullopt;
  return value;
}

bool ObjectReader::boolean(std::string_view key) {
  const json::value* value = require(key);
  if (value == nullptr) return false;
  if (!value->is_bool()) {
    fail(key, std::string(key) + " must be true or false, not " + kind_phrase(*value));
    return false;
  }
  return value->get_bool();
}

TimeMs ObjectReader::time(std::string_view key) {
  const json::value* value = require(key);
  if (value == nullptr) return 0;
  std::string must = std::string(key) + " must be an RFC 3339 timestamp such as \"2026-11-25T12:46:13.123Z\"";
  if (!value->is_string()) {
    fail(key, must + ", not " + kind_phrase(*value));
    return 0;
  }
  TimeMs time_ms = 0;
  std::string_view text(value->get_string().data(), value->get_string().size());
  if (!parse_iso8601(text, &time_ms)) {
    fail(key, must);
    return 0;
  }
  return time_ms;
}

std::optional<TimeMs> ObjectReader::optional_time(std::string_view key) {
  if (!has(key)) return std::nullopt;
  TimeMs value = time(key);
  if (!ok()) return std::nullopt;
  return value;
}

ObjectReader ObjectReader::object(std::string_view key, std::initializer_list<std::string_view> allowed,
                                  UnknownFields unknown) {
  const json::value* value = require(key);
  return ObjectReader(status_, value, pointer_join(pointer_, key), std::string(key), allowed, unknown);
}

ArrayReader ObjectReader::array(std::string_view key, size_t min_size, size_t max_size) {
  const json::value* value = require(key);
  return read_array(status_, value, pointer_join(pointer_, key), std::string(key), min_size, max_size);
}

const json::value* ObjectReader::raw(std::string_view key) { return find(key); }

ObjectReader ArrayReader::object(size_t index, std::initializer_list<std::string_view> allowed, UnknownFields unknown) {
  const json::value* value = index < size() ? &(*array_)[index] : nullptr;
  return ObjectReader(status_, value, pointer_join(pointer_, index), name_ + "[" + std::to_string(index) + "]", allowed,
                      unknown);
}

ArrayReader read_array(Status* status, const json::value* value, std::string pointer, std::string name, size_t min_size,
                       size_t max_size) {
  if (!status->is_ok() || value == nullptr) return ArrayReader(status, nullptr, std::move(pointer), std::move(name));
  std::string must = name + " must be an array of " +
                     (min_size == 0 ? "at most " + std::to_string(max_size)
                                    : std::to_string(min_size) + " to " + std::to_string(max_size)) +
                     " entries";
  if (!value->is_array()) {
    *status = Status::invalid(must + ", not " + kind_phrase(*value), pointer);
    return ArrayReader(status, nullptr, std::move(pointer), std::move(name));
  }
  const json::array& array = value->get_array();
  if (array.size() < min_size || array.size() > max_size) {
    *status = Status::invalid(must + "; it has " + std::to_string(array.size()), pointer);
    return ArrayReader(status, nullptr, std::move(pointer), std::move(name));
  }
  return ArrayReader(status, &array, std::move(pointer), std::move(name));
}

bool looks_like_card_number(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c != ' ' && c != '-') {
      return false;
    }
  }
  if (digits.size() < 13 || digits.size() > 19) return false;
  // Luhn: double every second digit from the right.
  int sum = 0;
  bool double_it = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int digit = *it - '0';
    if (double_it) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double_it = !double_it;
  }
  return sum % 10 == 0;
}

json::value time_or_null(std::optional<TimeMs> time_ms) {
  if (!time_ms) return nullptr;
  return json::value(format_iso8601(*time_ms));
}

}  // namespace of::codec::detail
