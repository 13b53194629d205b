#include "loadgen/scenario.h"

#include <charconv>
#include <cmath>

namespace of::loadgen {
namespace {

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

Result<double> parse_number(std::string_view scenario, std::string_view key, std::string_view text, double low,
                            double high) {
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return Status::invalid("scenario " + std::string(scenario) + ": " + std::string(key) + " must be a number, got '" +
                           std::string(text) + "'");
  }
  if (value < low || value > high) {
    return Status::invalid("scenario " + std::string(scenario) + ": " + std::string(key) + " must be between " +
                           std::to_string(low) + " and " + std::to_string(high));
  }
  return value;
}

Result<LoadMode> parse_mode(std::string_view scenario, std::string_view text) {
  if (text == "open") return LoadMode::kOpen;
  if (text == "closed") return LoadMode::kClosed;
  return Status::invalid("scenario " + std::string(scenario) + ": mode must be open or closed, got '" +
                         std::string(text) + "'");
}

std::optional<Scenario> named(std::string_view name) {
  Scenario s;
  s.name = std::string(name);
  if (name == "steady") return s;
  if (name == "ramp") {
    s.shape = Shape::kRamp;
    return s;
  }
  if (name == "spike") {
    s.shape = Shape::kSpike;
    s.connections = 256;  // 10x the base rate needs room for the queue the spike builds
    return s;
  }
  if (name == "closed" || name == "max") {
    s.name = "closed";
    s.mode = LoadMode::kClosed;
    s.connections = 32;
    s.duration_s = 20;
    return s;
  }
  if (name == "brief-10k") {
    s.mode = LoadMode::kClosed;
    s.connections = 32;
    s.orders_total = 10'000;
    s.duration_s = 600;  // the brief allows 10 minutes; this is only the limit
    return s;
  }
  if (name == "sustained-200") {
    s.rate_per_s = 200;
    s.duration_s = 60;
    return s;
  }
  if (name == "peak-500") {
    s.rate_per_s = 500;
    s.duration_s = 60;
    return s;
  }
  return std::nullopt;
}

Status check(const Scenario& s) {
  if (s.mode == LoadMode::kClosed && s.shape != Shape::kSteady) {
    return Status::invalid("scenario " + s.name + ": a " + std::string(to_string(s.shape)) +
                           " shape needs mode=open (a closed loop has no arrival rate)");
  }
  return Status::ok();
}

}  // namespace

std::string_view to_string(LoadMode mode) { return mode == LoadMode::kOpen ? "open" : "closed"; }

std::string_view to_string(Shape shape) {
  switch (shape) {
    case Shape::kSteady: return "steady";
    case Shape::kRamp: return "ramp";
    case Shape::kSpike: return "spike";
  }
  return "steady";
}

Result<Scenario> parse_scenario(std::string_view spec, const ScenarioOverrides& overrides) {
  auto parts = split(spec, ':');
  std::string_view name = parts[0];
  auto base = named(name);
  if (!base) {
    return Status::invalid("unknown scenario '" + std::string(name) +
                           "'; known: steady, ramp, spike, closed, brief-10k, sustained-200, peak-500");
  }
  Scenario s = *base;
  s.spec = std::string(spec);
  if (overrides.rate_per_s) s.rate_per_s = *overrides.rate_per_s;
  if (overrides.duration_s) s.duration_s = *overrides.duration_s;
  if (overrides.connections) s.connections = *overrides.connections;
  if (overrides.mode) s.mode = *overrides.mode;
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string_view pair = parts[i];
    size_t equals = pair.find('=');
    if (equals == std::string_view::npos) {
      return Status::invalid("scenario " + s.name + ": expected key=value, got '" + std::string(pair) + "'");
    }
    std::string_view key = pair.substr(0, equals);
    std::string_view value = pair.substr(equals + 1);
    if (key == "rate") {
      OF_ASSIGN_OR_RETURN(s.rate_per_s, parse_number(s.name, key, value, 0.001, kRateMax));
    } else if (key == "duration") {
      OF_ASSIGN_OR_RETURN(s.duration_s, parse_number(s.name, key, value, 0.001, kDurationMaxS));
    } else if (key == "connections") {
      OF_ASSIGN_OR_RETURN(double connections, parse_number(s.name, key, value, 1, kConnectionsMax));
      s.connections = static_cast<int>(connections);
    } else if (key == "mode") {
      OF_ASSIGN_OR_RETURN(s.mode, parse_mode(s.name, value));
    } else if (key == "orders") {
      OF_ASSIGN_OR_RETURN(double orders, parse_number(s.name, key, value, 0, static_cast<double>(kOrdersTotalMax)));
      s.orders_total = static_cast<int64_t>(orders);
    } else if (key == "spike-factor") {
      OF_ASSIGN_OR_RETURN(s.spike_factor, parse_number(s.name, key, value, 1, 1000));
    } else if (key == "spike-start") {
      OF_ASSIGN_OR_RETURN(s.spike_start_s, parse_number(s.name, key, value, 0, kDurationMaxS));
    } else if (key == "spike-duration") {
      OF_ASSIGN_OR_RETURN(s.spike_duration_s, parse_number(s.name, key, value, 0, kDurationMaxS));
    } else {
      return Status::invalid("scenario " + s.name + ": unknown key '" + std::string(key) +
                             "'; known: rate, duration, connections, mode, orders, spike-factor, spike-start, "
                             "spike-duration");
    }
  }
  // Flags are checked here too: they may come from the command line unchecked.
  if (!(s.rate_per_s > 0 && s.rate_per_s <= kRateMax)) {
    return Status::invalid("scenario " + s.name + ": rate must be in (0, " + std::to_string(kRateMax) + "]");
  }
  if (!(s.duration_s > 0 && s.duration_s <= kDurationMaxS)) {
    return Status::invalid("scenario " + s.name + ": duration must be in (0, " + std::to_string(kDurationMaxS) + "]");
  }
  if (s.connections < 1 || s.connections > kConnectionsMax) {
    return Status::invalid("scenario " + s.name + ": connections must be in 1.." + std::to_string(kConnectionsMax));
  }
  OF_RETURN_IF_ERROR(check(s));
  return s;
}

Result<std::vector<Scenario>> parse_scenario_list(std::string_view list, const ScenarioOverrides& overrides) {
  std::vector<Scenario> scenarios;
  for (std::string_view spec : split(list, ',')) {
    if (spec.empty()) return Status::invalid("empty scenario in list '" + std::string(list) + "'");
    if (static_cast<int>(scenarios.size()) == kScenariosMax) {
      return Status::limit("at most " + std::to_string(kScenariosMax) + " scenarios in one run");
    }
    OF_ASSIGN_OR_RETURN(Scenario scenario, parse_scenario(spec, overrides));
    scenarios.push_back(std::move(scenario));
  }
  return scenarios;
}

double rate_at(const Scenario& s, double t_s) {
  if (t_s < 0 || t_s >= s.duration_s) return 0;
  switch (s.shape) {
    case Shape::kSteady: return s.rate_per_s;
    case Shape::kRamp: return s.rate_per_s * t_s / s.duration_s;
    case Shape::kSpike: {
      bool in_spike = t_s >= s.spike_start_s && t_s < s.spike_start_s + s.spike_duration_s;
      return in_spike ? s.rate_per_s * s.spike_factor : s.rate_per_s;
    }
  }
  return s.rate_per_s;
}

Result<std::vector<int64_t>> arrival_schedule_us(const Scenario& s) {
  std::vector<int64_t> arrivals;
  const auto steps = static_cast<int64_t>(std::ceil(s.duration_s * 1000.0));
  double due = 0.0;  // arrivals owed so far, fractional
  for (int64_t step = 0; step < steps; ++step) {
    const double rate = rate_at(s, static_cast<double>(step) / 1000.0);
    const double per_step = rate / 1000.0;
    const double before = due;
    due += per_step;
    // Arrivals whose (fractional) index falls in this step, spread evenly over it.
    for (auto k = static_cast<int64_t>(std::ceil(before)); static_cast<double>(k) < due; ++k) {
      if (static_cast<int64_t>(arrivals.size()) >= kArrivalsMax) {
        return Status::limit("scenario " + s.name + " schedules more than " + std::to_string(kArrivalsMax) +
                             " arrivals; shorten it or lower the rate");
      }
      const double fraction = per_step > 0 ? (static_cast<double>(k) - before) / per_step : 0.0;
      arrivals.push_back(step * 1000 + static_cast<int64_t>(fraction * 1000.0));
    }
  }
  return arrivals;
}

}  // namespace of::loadgen
