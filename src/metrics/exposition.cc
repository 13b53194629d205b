#include "metrics/exposition.h"

#include <fmt/format.h>

#include <cmath>
#include <iterator>

#include "base/assert.h"

namespace of::metrics {

namespace {

bool name_char(char c, bool first, bool colon_ok) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
  if (colon_ok && c == ':') return true;
  return !first && c >= '0' && c <= '9';
}

std::string_view type_name(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

}  // namespace

bool valid_metric_name(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!name_char(name[i], i == 0, true)) return false;
  }
  return true;
}

bool valid_label_name(std::string_view name) {
  if (name.empty() || name.starts_with("__")) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!name_char(name[i], i == 0, false)) return false;
  }
  return true;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Integral values below 2^53 are exact: print them without exponent or fraction.
  if (value == std::trunc(value) && std::fabs(value) < 9007199254740992.0) {
    return fmt::format("{}", static_cast<int64_t>(value));
  }
  return fmt::format("{}", value);
}

void ExpositionWriter::begin(std::string_view name, std::string_view help, MetricType type) {
  OF_ASSERT_MSG(valid_metric_name(name), "metric names are [a-zA-Z_:][a-zA-Z0-9_:]*");
  fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, escape_help(help), name,
                 type_name(type));
}

void ExpositionWriter::write_series(std::string_view name, std::span<const Label> labels, std::string_view extra_name,
                                    std::string_view extra_value) {
  OF_ASSERT_MSG(valid_metric_name(name), "metric names are [a-zA-Z_:][a-zA-Z0-9_:]*");
  out_ += name;
  if (labels.empty() && extra_name.empty()) return;
  out_ += '{';
  bool first = true;
  for (const Label& label : labels) {
    OF_ASSERT_MSG(valid_label_name(label.name), "label names are [a-zA-Z_][a-zA-Z0-9_]*, not starting with __");
    if (!first) out_ += ',';
    first = false;
    out_ += label.name;
    out_ += "=\"";
    out_ += escape_label_value(label.value);
    out_ += '"';
  }
  if (!extra_name.empty()) {
    if (!first) out_ += ',';
    out_ += extra_name;
    out_ += "=\"";
    out_ += extra_value;
    out_ += '"';
  }
  out_ += '}';
}

void ExpositionWriter::sample(std::string_view name, std::span<const Label> labels, double value) {
  write_series(name, labels);
  out_ += ' ';
  out_ += format_value(value);
  out_ += '\n';
}

void ExpositionWriter::sample(std::string_view name, std::span<const Label> labels, uint64_t value) {
  write_series(name, labels);
  fmt::format_to(std::back_inserter(out_), " {}\n", value);
}

void ExpositionWriter::sample(std::string_view name, std::span<const Label> labels, int64_t value) {
  write_series(name, labels);
  fmt::format_to(std::back_inserter(out_), " {}\n", value);
}

void ExpositionWriter::histogram(std::string_view name, std::span<const Label> labels, std::span<const double> bounds,
                                 std::span<const uint64_t> bucket_counts, double sum) {
  OF_ASSERT(bucket_counts.size() == bounds.size() + 1);
  const std::string bucket_name = std::string(name) + "_bucket";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds.size(); ++i) {
    cumulative += bucket_counts[i];
    write_series(bucket_name, labels, "le", format_value(bounds[i]));
    fmt::format_to(std::back_inserter(out_), " {}\n", cumulative);
  }
  cumulative += bucket_counts.back();
  write_series(bucket_name, labels, "le", "+Inf");
  fmt::format_to(std::back_inserter(out_), " {}\n", cumulative);
  write_series(std::string(name) + "_sum", labels);
  out_ += ' ';
  out_ += format_value(sum);
  out_ += '\n';
  // _count is the +Inf bucket by construction, so the two never disagree even
  // while observations land during the scrape.
  write_series(std::string(name) + "_count", labels);
  fmt::format_to(std::back_inserter(out_), " {}\n", cumulative);
}

}  // namespace of::metrics
