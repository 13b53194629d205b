// ExpositionWriter: builds a Prometheus text exposition (format 0.0.4).
//
// One family at a time: begin() writes its # HELP and # TYPE lines, then
// sample() / histogram() write its samples. Label values are escaped (\\, ",
// newline), HELP text too (\\, newline); histogram buckets are written
// cumulative, ending with le="+Inf" equal to _count. Names are checked by
// OF_ASSERT: they are written by orderflow's code, never taken from outside;
// label VALUES may come from outside and are only escaped.
//
// Not thread-safe: one writer per scrape. Used by Registry::expose() and by
// collectors that read their figures at scrape time.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace of::metrics {

enum class MetricType { kCounter, kGauge, kHistogram };

struct Label {
  std::string_view name;
  std::string_view value;
};

class ExpositionWriter {
 public:
  // Writes the family's HELP and TYPE lines.
  void begin(std::string_view name, std::string_view help, MetricType type);
  // One sample of the current family (`name` may carry a suffix, e.g. _total).
  void sample(std::string_view name, std::span<const Label> labels, double value);
  void sample(std::string_view name, std::span<const Label> labels, uint64_t value);
  void sample(std::string_view name, std::span<const Label> labels, int64_t value);
  // The samples of one histogram series: `bucket_counts` has one count per
  // bound (observations <= bound and > the previous bound, NOT cumulative)
  // plus a last one for the observations above every bound.
  void histogram(std::string_view name, std::span<const Label> labels, std::span<const double> bounds,
                 std::span<const uint64_t> bucket_counts, double sum);

  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void write_series(std::string_view name, std::span<const Label> labels, std::string_view extra_name = {},
                    std::string_view extra_value = {});
  std::string out_;
};

// Escapes a label value: \ -> \\, " -> \", newline -> \n.
std::string escape_label_value(std::string_view value);
// Escapes HELP text: \ -> \\, newline -> \n.
std::string escape_help(std::string_view help);
// A sample value as Prometheus parses it: integers without a fraction,
// otherwise the shortest exact form; NaN, +Inf, -Inf.
std::string format_value(double value);

bool valid_metric_name(std::string_view name);
bool valid_label_name(std::string_view name);

}  // namespace of::metrics
