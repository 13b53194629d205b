// Registry: orderflow's metrics (counters, gauges, histograms with labels) and
// the collectors that read other figures at scrape time.
//
// Families are registered once at start-up (get-or-create by name); a series
// is found with Family::with(label values), which takes a shared lock and does
// not allocate once the series exists. Hot-path callers keep the returned
// reference: every Counter, Gauge and Histogram is updated with relaxed
// atomics, a Histogram::observe never allocates or locks. Series live as long
// as the registry, so references stay valid.
//
// Limits: kSeriesPerFamilyMax series per family. Label values should come
// from bounded sets (route templates, status codes, subscription names); a
// family that reaches the limit sends further new series to one sink that is
// not exported (logged once), so memory and scrape size stay bounded even if a
// caller passes unbounded values.
//
// Thread-safe: every method may be called from any thread. expose() runs the
// collectors on the caller's thread (an HTTP I/O thread for GET /metrics).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/exposition.h"

namespace of::metrics {

inline constexpr size_t kSeriesPerFamilyMax = 1000;
inline constexpr size_t kLabelsPerFamilyMax = 8;
inline constexpr size_t kBucketsMax = 64;

// Latency buckets in seconds: log-spaced (1-2.5-5 per decade) from 0.5 ms to
// 30 s, with a bound at 0.5 s so the confirmation alert's threshold is exact.
inline constexpr std::array<double, 15> kLatencyBucketsSeconds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                                  0.25,   0.5,   1,      2.5,   5,    10,    30};

class Counter {
 public:
  void inc(uint64_t delta = 1) { value_.fetch_add(delta, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void set(double value) { value_.store(value, std::memory_order_relaxed); }
  void add(double delta) { value_.fetch_add(delta, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // `bounds`: strictly increasing, finite, at most kBucketsMax; must outlive
  // the histogram (the family owns them).
  explicit Histogram(std::span<const double> bounds);
  // Counts `value` in the first bucket whose bound is >= value (or above all).
  void observe(double value);
  std::span<const double> bounds() const { return bounds_; }
  // Per-bucket (not cumulative) counts, bounds().size() + 1 of them, and the sum.
  void snapshot(std::vector<uint64_t>& counts, double& sum) const;

 private:
  std::span<const double> bounds_;
  std::array<std::atomic<uint64_t>, kBucketsMax + 1> counts_{};
  std::atomic<double> sum_{0};
};

class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, MetricType type, std::vector<std::string> label_names);
  virtual ~FamilyBase() = default;
  const std::string& name() const { return name_; }
  MetricType type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  virtual void write(ExpositionWriter& writer) const = 0;

 protected:
  static uint64_t hash_values(std::span<const std::string_view> values);
  const std::string name_;
  const std::string help_;
  const MetricType type_;
  const std::vector<std::string> label_names_;
};

template <class Metric>
class Family final : public FamilyBase {
 public:
  Family(std::string name, std::string help, MetricType type, std::vector<std::string> label_names,
         std::vector<double> bounds = {});
  // The series with these label values, one per label name, in order.
  Metric& with(std::initializer_list<std::string_view> values) {
    return with(std::span<const std::string_view>(values.begin(), values.size()));
  }
  Metric& with(std::span<const std::string_view> values);
  const std::vector<double>& bounds() const { return bounds_; }
  void write(ExpositionWriter& writer) const override;

 private:
  struct Series {
    std::vector<std::string> values;
    uint64_t hash = 0;
    Metric metric;
    template <class... Args>
    explicit Series(std::vector<std::string> v, uint64_t h, Args&&... args)
        : values(std::move(v)), hash(h), metric(std::forward<Args>(args)...) {}
  };
  Series* find(std::span<const std::string_view> values, uint64_t hash) const;
  std::unique_ptr<Metric> make_metric() const;

  const std::vector<double> bounds_;
  mutable std::shared_mutex mutex_;
  std::vector<std::unique_ptr<Series>> series_;
  std::unique_ptr<Metric> overflow_;  // the sink past kSeriesPerFamilyMax, never exported
  bool overflow_logged_ = false;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

class Registry {
 public:
  using Collector = std::function<void(ExpositionWriter& writer)>;

  // Get-or-create by name; asking again with another type, labels or bounds
  // is a programmer error (asserted).
  CounterFamily& counter(std::string name, std::string help, std::vector<std::string> label_names = {});
  GaugeFamily& gauge(std::string name, std::string help, std::vector<std::string> label_names = {});
  HistogramFamily& histogram(std::string name, std::string help, std::vector<std::string> label_names,
                             std::vector<double> bounds);

  // A function that writes whole families (begin + samples) at scrape time,
  // for figures another component already keeps. Collectors run in the order
  // they were added, after the registered families.
  void add_collector(Collector collector);

  // The text exposition, format 0.0.4.
  std::string expose() const;

 private:
  FamilyBase* find(const std::string& name) const;

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<FamilyBase>> families_;
  std::vector<Collector> collectors_;
};

// The latency buckets as a vector, for Registry::histogram().
std::vector<double> latency_buckets_seconds();

}  // namespace of::metrics
