#include "loadgen/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include <boost/json.hpp>

namespace of::loadgen {
namespace {

namespace json = boost::json;

double ms(int64_t us) { return static_cast<double>(us) / 1000.0; }

// Rounds to 3 decimals so the report stays readable.
double r3(double value) { return std::round(value * 1000.0) / 1000.0; }

json::object latency_json(const LatencySummary& s) {
  return {{"count", s.count},      {"mean", r3(s.mean_ms)}, {"p50", r3(s.p50_ms)},   {"p95", r3(s.p95_ms)},
          {"p99", r3(s.p99_ms)},   {"p999", r3(s.p999_ms)}, {"max", r3(s.max_ms)}};
}

json::object counts_json(const std::map<std::string, int64_t>& counts) {
  json::object out;
  for (const auto& [key, value] : counts) out[key] = value;
  return out;
}

json::value optional_json(const std::optional<double>& value) {
  if (!value) return nullptr;
  return r3(*value);
}

json::object run_json(const RunResult& run) {
  const Scenario& s = run.scenario;
  json::object scenario{{"name", s.name},
                        {"spec", s.spec},
                        {"mode", to_string(s.mode)},
                        {"shape", to_string(s.shape)},
                        {"rate", s.rate_per_s},
                        {"durationS", s.duration_s},
                        {"connections", s.connections},
                        {"ordersTotal", s.orders_total}};
  if (s.shape == Shape::kSpike) {
    scenario["spikeFactor"] = s.spike_factor;
    scenario["spikeStartS"] = s.spike_start_s;
    scenario["spikeDurationS"] = s.spike_duration_s;
  }
  int64_t error_total = 0;
  for (const auto& [kind, count] : run.errors) error_total += count;
  json::object out;
  out["scenario"] = std::move(scenario);
  out["orders"] = json::object{{"sent", run.sent},
                               {"accepted", run.accepted},
                               {"rejectedAsExpected", run.rejected_expected},
                               {"errors", error_total},
                               {"invalidSent", run.invalid_sent},
                               {"declinedSent", run.declined_sent},
                               {"cancelsSent", run.cancels_sent},
                               {"scheduled", run.scheduled}};
  out["errors"] = counts_json(run.errors);
  out["cancelResponses"] = counts_json(run.cancel_responses);
  out["throughput"] = json::object{{"offeredPerS", r3(run.offered_per_s)},
                                   {"acceptedPerS", r3(run.accepted_per_s)},
                                   {"loadS", r3(run.load_s)}};
  out["confirmationMs"] = latency_json(summarize(run.confirmation_us));
  out["sendLagMs"] = latency_json(summarize(run.send_lag_us));
  json::object stages;
  for (size_t i = 0; i < kStageNames.size(); ++i) stages[kStageNames[i]] = latency_json(summarize(run.stage_us[i]));
  out["endToEnd"] = json::object{{"measured", run.stages_measured},
                                 {"ordersChecked", run.orders_checked},
                                 {"unfinished", run.unfinished},
                                 {"finalStatuses", counts_json(run.final_statuses)},
                                 {"fromAcceptedMs", std::move(stages)},
                                 {"allFinishedS", optional_json(run.all_finished_s)},
                                 {"drainedAfterLoadS", optional_json(run.drained_after_load_s)}};
  out["spikeRecoveryS"] = optional_json(run.spike_recovery_s);
  if (run.server) {
    out["server"] = json::object{{"pid", run.server->pid},
                                 {"cpuS", r3(run.server->cpu_s)},
                                 {"cpuUsPerOrder", r3(run.server->cpu_us_per_order)},
                                 {"rssKbBefore", run.server->rss_kb_before},
                                 {"rssKbAfter", run.server->rss_kb_after}};
  } else {
    out["server"] = nullptr;
  }
  out["clientCpuS"] = r3(run.client_cpu_s);
  json::array timeline;
  for (const TimelinePoint& point : run.timeline) {
    timeline.push_back(json::object{{"t", r3(point.start_s)},
                                    {"sent", point.sent},
                                    {"accepted", point.accepted},
                                    {"errors", point.errors},
                                    {"p50", r3(point.confirmation.p50_ms)},
                                    {"p99", r3(point.confirmation.p99_ms)},
                                    {"max", r3(point.confirmation.max_ms)}});
  }
  out["timelineBucketS"] = run.timeline_bucket_s;
  out["timeline"] = std::move(timeline);
  return out;
}

std::string fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

std::string pad(const std::string& text, size_t width, bool left = false) {
  if (text.size() >= width) return text;
  return left ? text + std::string(width - text.size(), ' ') : std::string(width - text.size(), ' ') + text;
}

std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// A "nice" axis maximum: 1, 2 or 5 times a power of ten, at least `value`.
double nice_ceiling(double value) {
  if (value <= 0) return 1;
  const double power = std::pow(10.0, std::floor(std::log10(value)));
  for (double step : {1.0, 2.0, 5.0, 10.0}) {
    if (value <= step * power) return step * power;
  }
  return 10 * power;
}

struct Series {
  std::string name;
  std::string color;
  std::vector<std::pair<double, double>> points;  // (x seconds, y)
};

// One chart: axes, grid, polylines and a legend, at (x0, y0) of size w x h.
void chart(std::ostringstream& svg, double x0, double y0, double w, double h, const std::string& title,
           const std::string& y_unit, double x_max, const std::vector<Series>& series) {
  double y_max = 0;
  for (const Series& s : series) {
    for (const auto& [x, y] : s.points) y_max = std::max(y_max, y);
  }
  y_max = nice_ceiling(y_max * 1.05);
  x_max = std::max(x_max, 1.0);
  const double left = x0 + 60, top = y0 + 24, width = w - 80, height = h - 54;
  svg << "<text x=\"" << x0 + 4 << "\" y=\"" << y0 + 14 << "\" font-size=\"13\" font-weight=\"bold\">"
      << xml_escape(title) << "</text>\n";
  svg << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << width << "\" height=\"" << height
      << "\" fill=\"#fafafa\" stroke=\"#999\"/>\n";
  for (int i = 0; i <= 4; ++i) {
    const double y = top + height - height * i / 4.0;
    svg << "<line x1=\"" << left << "\" y1=\"" << y << "\" x2=\"" << left + width << "\" y2=\"" << y
        << "\" stroke=\"#ddd\"/>\n";
    svg << "<text x=\"" << left - 6 << "\" y=\"" << y + 4 << "\" font-size=\"11\" text-anchor=\"end\">"
        << fixed(y_max * i / 4.0, y_max >= 20 ? 0 : 1) << "</text>\n";
  }
  for (int i = 0; i <= 5; ++i) {
    const double x = left + width * i / 5.0;
    svg << "<text x=\"" << x << "\" y=\"" << top + height + 14 << "\" font-size=\"11\" text-anchor=\"middle\">"
        << fixed(x_max * i / 5.0, x_max >= 10 ? 0 : 1) << " s</text>\n";
  }
  svg << "<text x=\"" << x0 + 4 << "\" y=\"" << top + height / 2 << "\" font-size=\"11\">" << xml_escape(y_unit)
      << "</text>\n";
  double legend_x = left + 8;
  for (const Series& s : series) {
    svg << "<polyline fill=\"none\" stroke=\"" << s.color << "\" stroke-width=\"1.5\" points=\"";
    for (const auto& [x, y] : s.points) {
      svg << fixed(left + width * std::min(x, x_max) / x_max, 1) << ','
          << fixed(top + height - height * std::min(y, y_max) / y_max, 1) << ' ';
    }
    svg << "\"/>\n";
    svg << "<rect x=\"" << legend_x << "\" y=\"" << top + 6 << "\" width=\"10\" height=\"10\" fill=\"" << s.color
        << "\"/><text x=\"" << legend_x + 14 << "\" y=\"" << top + 15 << "\" font-size=\"11\">" << xml_escape(s.name)
        << "</text>\n";
    legend_x += 24 + 7.0 * static_cast<double>(s.name.size());
  }
}

}  // namespace

LatencySummary summarize(const LatencyHistogram& h) {
  LatencySummary s;
  s.count = h.count();
  s.mean_ms = h.mean() / 1000.0;
  s.p50_ms = ms(h.percentile(0.50));
  s.p95_ms = ms(h.percentile(0.95));
  s.p99_ms = ms(h.percentile(0.99));
  s.p999_ms = ms(h.percentile(0.999));
  s.max_ms = ms(h.max());
  return s;
}

json::object to_json(const BenchReport& report) {
  json::object machine{{"cores", report.machine.cores},
                       {"cpuModel", report.machine.cpu_model},
                       {"kernel", report.machine.kernel},
                       {"fsyncsPerS", optional_json(report.machine.fsyncs_per_s)},
                       {"fsyncDir", report.machine.fsync_dir}};
  json::object mix{{"products", report.mix.products},         {"zipfExponent", report.mix.zipf_exponent},
                   {"linesMin", report.mix.lines_min},        {"linesMax", report.mix.lines_max},
                   {"quantityMax", report.mix.quantity_max},  {"customers", report.mix.customers},
                   {"invalidShare", report.mix.invalid_share}, {"declineShare", report.mix.decline_share},
                   {"cancelShare", report.mix.cancel_share}};
  json::array runs;
  for (const RunResult& run : report.runs) runs.push_back(run_json(run));
  return {{"tool", "orderflow bench"},
          {"label", report.label},
          {"url", report.url},
          {"startedAt", report.started_at},
          {"seed", report.seed},
          {"machine", std::move(machine)},
          {"traffic", std::move(mix)},
          {"runs", std::move(runs)}};
}

std::string report_json(const BenchReport& report) { return json::serialize(to_json(report)) + "\n"; }

std::string format_table(const BenchReport& report) {
  std::ostringstream out;
  if (!report.label.empty()) out << "== " << report.label << " ==\n";
  out << "target " << report.url << "; machine: " << report.machine.cores << " cores, " << report.machine.cpu_model
      << ", " << report.machine.kernel;
  if (report.machine.fsyncs_per_s) out << "; disk: " << fixed(*report.machine.fsyncs_per_s, 0) << " fsyncs/s";
  out << "\n";
  out << "traffic: " << report.mix.products << " products (Zipf s=" << fixed(report.mix.zipf_exponent, 2) << "), "
      << report.mix.lines_min << "-" << report.mix.lines_max << " lines, invalid " << fixed(report.mix.invalid_share * 100, 1)
      << "%, declined " << fixed(report.mix.decline_share * 100, 1) << "%, cancelled "
      << fixed(report.mix.cancel_share * 100, 1) << "%; seed " << report.seed << "\n\n";
  const std::vector<std::pair<std::string, size_t>> columns = {
      {"scenario", 16}, {"mode", 6},    {"offered/s", 10}, {"accepted/s", 11}, {"accepted", 9}, {"errors", 7},
      {"P50 ms", 8},    {"P95 ms", 8},  {"P99 ms", 8},     {"P99.9 ms", 9},    {"max ms", 8},   {"->ship P99", 11},
      {"->deliv P99", 12}, {"finished s", 11}, {"CPU us/ord", 11}};
  for (size_t i = 0; i < columns.size(); ++i) out << pad(columns[i].first, columns[i].second, i == 0) << ' ';
  out << "\n";
  for (const RunResult& run : report.runs) {
    int64_t errors = 0;
    for (const auto& [kind, count] : run.errors) errors += count;
    const LatencySummary c = summarize(run.confirmation_us);
    std::vector<std::string> cells = {
        run.scenario.name,
        std::string(to_string(run.scenario.mode)),
        run.scenario.mode == LoadMode::kOpen ? fixed(run.offered_per_s, 0) : "max",
        fixed(run.accepted_per_s, 0),
        std::to_string(run.accepted),
        std::to_string(errors),
        fixed(c.p50_ms, 1),
        fixed(c.p95_ms, 1),
        fixed(c.p99_ms, 1),
        fixed(c.p999_ms, 1),
        fixed(c.max_ms, 1),
        run.stages_measured ? fixed(summarize(run.stage_us[2]).p99_ms, 0) : "-",
        run.stages_measured ? fixed(summarize(run.stage_us[3]).p99_ms, 0) : "-",
        run.all_finished_s ? fixed(*run.all_finished_s, 2) : "-",
        run.server ? fixed(run.server->cpu_us_per_order, 0) : "-"};
    for (size_t i = 0; i < columns.size(); ++i) out << pad(cells[i], columns[i].second, i == 0) << ' ';
    out << "\n";
  }
  out << "\n";
  for (const RunResult& run : report.runs) {
    out << run.scenario.name << ": sent " << run.sent << ", accepted " << run.accepted << ", invalid refused "
        << run.rejected_expected;
    for (const auto& [kind, count] : run.errors) out << ", " << kind << " " << count;
    if (run.scenario.mode == LoadMode::kOpen) {
      out << "; generator send lag P99 " << fixed(summarize(run.send_lag_us).p99_ms, 1) << " ms";
    }
    if (run.stages_measured) {
      out << "\n  from accepted, P50/P99 ms:";
      for (size_t i = 0; i < kStageNames.size(); ++i) {
        const LatencySummary s = summarize(run.stage_us[i]);
        out << " ->" << kStageNames[i] << " " << fixed(s.p50_ms, 0) << "/" << fixed(s.p99_ms, 0);
      }
      out << "; final:";
      for (const auto& [status, count] : run.final_statuses) out << " " << status << " " << count;
      if (run.unfinished > 0) out << "; UNFINISHED " << run.unfinished;
      if (run.drained_after_load_s) out << "; drained " << fixed(*run.drained_after_load_s, 2) << " s after the load";
    }
    if (run.spike_recovery_s) out << "\n  spike: P99 back to normal " << fixed(*run.spike_recovery_s, 0) << " s after it";
    if (run.server) {
      out << "\n  server: " << fixed(run.server->cpu_s, 2) << " CPU s, RSS " << run.server->rss_kb_before / 1024
          << " -> " << run.server->rss_kb_after / 1024 << " MiB";
    }
    out << "; load generator " << fixed(run.client_cpu_s, 2) << " CPU s\n";
  }
  return out.str();
}

std::string render_svg(const BenchReport& report) {
  constexpr double kWidth = 960, kChartHeight = 230;
  const double height = 50 + static_cast<double>(report.runs.size()) * 2 * kChartHeight + 10;
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth << "\" height=\"" << height
      << "\" font-family=\"sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  svg << "<text x=\"10\" y=\"22\" font-size=\"16\" font-weight=\"bold\">orderflow bench"
      << (report.label.empty() ? "" : ": " + xml_escape(report.label)) << "</text>\n";
  svg << "<text x=\"10\" y=\"40\" font-size=\"11\">" << xml_escape(report.url) << ", " << report.machine.cores
      << " cores, " << xml_escape(report.machine.cpu_model) << ", " << xml_escape(report.started_at) << "</text>\n";
  double y = 50;
  for (const RunResult& run : report.runs) {
    double x_max = 0;
    Series p50{"P50", "#1f77b4", {}}, p99{"P99", "#d62728", {}}, max{"max", "#999999", {}};
    Series accepted{"accepted/s", "#2ca02c", {}}, errors{"errors/s", "#d62728", {}}, offered{"offered/s", "#aaaaaa", {}};
    const double bucket = run.timeline_bucket_s;
    for (const TimelinePoint& point : run.timeline) {
      const double mid = point.start_s + bucket / 2;
      x_max = std::max(x_max, point.start_s + bucket);
      if (point.confirmation.count > 0) {
        p50.points.emplace_back(mid, point.confirmation.p50_ms);
        p99.points.emplace_back(mid, point.confirmation.p99_ms);
        max.points.emplace_back(mid, point.confirmation.max_ms);
      }
      accepted.points.emplace_back(mid, static_cast<double>(point.accepted) / bucket);
      errors.points.emplace_back(mid, static_cast<double>(point.errors) / bucket);
    }
    if (run.scenario.mode == LoadMode::kOpen) {
      for (double t = 0; t <= run.scenario.duration_s; t += std::max(bucket / 4, run.scenario.duration_s / 400)) {
        offered.points.emplace_back(t, rate_at(run.scenario, t));
      }
    }
    const std::string name = run.scenario.spec.empty() ? run.scenario.name : run.scenario.spec;
    const std::string latency_title = run.scenario.mode == LoadMode::kOpen
                                          ? ": confirmation latency (from intended send)"
                                          : ": confirmation latency (closed loop, from send)";
    chart(svg, 10, y, kWidth - 20, kChartHeight, name + latency_title, "ms", x_max, {p50, p99, max});
    y += kChartHeight;
    std::vector<Series> throughput = {accepted, errors};
    if (!offered.points.empty()) throughput.insert(throughput.begin(), offered);
    chart(svg, 10, y, kWidth - 20, kChartHeight, name + ": throughput", "orders/s", x_max, throughput);
    y += kChartHeight;
  }
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace of::loadgen
