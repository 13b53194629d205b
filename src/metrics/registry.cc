#include "metrics/registry.h"

#include <algorithm>
#include <cmath>

#include "base/assert.h"
#include "base/log.h"

namespace of::metrics {

Histogram::Histogram(std::span<const double> bounds) : bounds_(bounds) {
  OF_ASSERT(bounds.size() <= kBucketsMax);
  for (size_t i = 0; i < bounds.size(); ++i) {
    OF_ASSERT(std::isfinite(bounds[i]));
    OF_ASSERT(i == 0 || bounds[i - 1] < bounds[i]);
  }
}

void Histogram::observe(double value) {
  // Prometheus buckets are upper-inclusive: the first bound >= value.
  const size_t index = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  counts_[index].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

void Histogram::snapshot(std::vector<uint64_t>& counts, double& sum) const {
  counts.resize(bounds_.size() + 1);
  for (size_t i = 0; i <= bounds_.size(); ++i) counts[i] = counts_[i].load(std::memory_order_relaxed);
  sum = sum_.load(std::memory_order_relaxed);
}

FamilyBase::FamilyBase(std::string name, std::string help, MetricType type, std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), type_(type), label_names_(std::move(label_names)) {
  OF_ASSERT_MSG(valid_metric_name(name_), "metric names are [a-zA-Z_:][a-zA-Z0-9_:]*");
  OF_ASSERT(label_names_.size() <= kLabelsPerFamilyMax);
  for (const auto& label : label_names_) {
    OF_ASSERT_MSG(valid_label_name(label) && label != "le", "invalid label name");
  }
}

uint64_t FamilyBase::hash_values(std::span<const std::string_view> values) {
  uint64_t hash = 14695981039346656037ull;  // FNV-1a
  for (std::string_view value : values) {
    for (char c : value) {
      hash ^= static_cast<unsigned char>(c);
      hash *= 1099511628211ull;
    }
    hash ^= 0xff;  // separator: ("ab","c") and ("a","bc") differ
    hash *= 1099511628211ull;
  }
  return hash;
}

template <class Metric>
Family<Metric>::Family(std::string name, std::string help, MetricType type, std::vector<std::string> label_names,
                       std::vector<double> bounds)
    : FamilyBase(std::move(name), std::move(help), type, std::move(label_names)), bounds_(std::move(bounds)) {
  overflow_ = make_metric();
}

template <class Metric>
std::unique_ptr<Metric> Family<Metric>::make_metric() const {
  if constexpr (std::is_same_v<Metric, Histogram>) {
    return std::make_unique<Histogram>(std::span<const double>(bounds_));
  } else {
    return std::make_unique<Metric>();
  }
}

template <class Metric>
typename Family<Metric>::Series* Family<Metric>::find(std::span<const std::string_view> values, uint64_t hash) const {
  for (const auto& series : series_) {
    if (series->hash != hash) continue;
    if (std::equal(values.begin(), values.end(), series->values.begin(), series->values.end())) {
      return series.get();
    }
  }
  return nullptr;
}

template <class Metric>
Metric& Family<Metric>::with(std::span<const std::string_view> values) {
  OF_ASSERT_MSG(values.size() == label_names_.size(), "one value per label name");
  const uint64_t hash = hash_values(values);
  {
    std::shared_lock lock(mutex_);
    if (Series* found = find(values, hash)) return found->metric;
  }
  std::unique_lock lock(mutex_);
  if (Series* found = find(values, hash)) return found->metric;
  if (series_.size() >= kSeriesPerFamilyMax) {
    if (!overflow_logged_) {
      overflow_logged_ = true;
      OF_LOG_WARN("metric {} reached {} series; new label values are not exported", name_, kSeriesPerFamilyMax);
    }
    return *overflow_;
  }
  std::vector<std::string> owned(values.begin(), values.end());
  if constexpr (std::is_same_v<Metric, Histogram>) {
    series_.push_back(std::make_unique<Series>(std::move(owned), hash, std::span<const double>(bounds_)));
  } else {
    series_.push_back(std::make_unique<Series>(std::move(owned), hash));
  }
  return series_.back()->metric;
}

template <class Metric>
void Family<Metric>::write(ExpositionWriter& writer) const {
  writer.begin(name_, help_, type_);
  std::shared_lock lock(mutex_);
  std::vector<Label> labels(label_names_.size());
  std::vector<uint64_t> counts;
  for (const auto& series : series_) {
    for (size_t i = 0; i < label_names_.size(); ++i) labels[i] = Label{label_names_[i], series->values[i]};
    if constexpr (std::is_same_v<Metric, Counter>) {
      writer.sample(name_, labels, series->metric.value());
    } else if constexpr (std::is_same_v<Metric, Gauge>) {
      writer.sample(name_, labels, series->metric.value());
    } else {
      double sum = 0;
      series->metric.snapshot(counts, sum);
      writer.histogram(name_, labels, bounds_, counts, sum);
    }
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

FamilyBase* Registry::find(const std::string& name) const {
  for (const auto& family : families_) {
    if (family->name() == name) return family.get();
  }
  return nullptr;
}

CounterFamily& Registry::counter(std::string name, std::string help, std::vector<std::string> label_names) {
  OF_ASSERT_MSG(name.ends_with("_total"), "counter names end in _total");
  std::lock_guard lock(mutex_);
  if (FamilyBase* existing = find(name)) {
    OF_ASSERT_MSG(existing->type() == MetricType::kCounter && existing->label_names() == label_names,
                  "a metric name is registered twice with different types or labels");
    return static_cast<CounterFamily&>(*existing);
  }
  families_.push_back(
      std::make_unique<CounterFamily>(std::move(name), std::move(help), MetricType::kCounter, std::move(label_names)));
  return static_cast<CounterFamily&>(*families_.back());
}

GaugeFamily& Registry::gauge(std::string name, std::string help, std::vector<std::string> label_names) {
  std::lock_guard lock(mutex_);
  if (FamilyBase* existing = find(name)) {
    OF_ASSERT_MSG(existing->type() == MetricType::kGauge && existing->label_names() == label_names,
                  "a metric name is registered twice with different types or labels");
    return static_cast<GaugeFamily&>(*existing);
  }
  families_.push_back(
      std::make_unique<GaugeFamily>(std::move(name), std::move(help), MetricType::kGauge, std::move(label_names)));
  return static_cast<GaugeFamily&>(*families_.back());
}

HistogramFamily& Registry::histogram(std::string name, std::string help, std::vector<std::string> label_names,
                                     std::vector<double> bounds) {
  std::lock_guard lock(mutex_);
  if (FamilyBase* existing = find(name)) {
    OF_ASSERT_MSG(existing->type() == MetricType::kHistogram && existing->label_names() == label_names &&
                      static_cast<HistogramFamily&>(*existing).bounds() == bounds,
                  "a metric name is registered twice with different types, labels or buckets");
    return static_cast<HistogramFamily&>(*existing);
  }
  families_.push_back(std::make_unique<HistogramFamily>(std::move(name), std::move(help), MetricType::kHistogram,
                                                        std::move(label_names), std::move(bounds)));
  return static_cast<HistogramFamily&>(*families_.back());
}

void Registry::add_collector(Collector collector) {
  std::lock_guard lock(mutex_);
  collectors_.push_back(std::move(collector));
}

std::string Registry::expose() const {
  ExpositionWriter writer;
  std::lock_guard lock(mutex_);
  for (const auto& family : families_) family->write(writer);
  for (const auto& collector : collectors_) collector(writer);
  return writer.take();
}

std::vector<double> latency_buckets_seconds() {
  return std::vector<double>(kLatencyBucketsSeconds.begin(), kLatencyBucketsSeconds.end());
}

}  // namespace of::metrics
