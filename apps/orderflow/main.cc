// orderflow: one binary, subcommands.
//   orderflow serve [--config FILE] [--data-dir DIR] [--port N] [--set key=value ...]
//   orderflow config [--config FILE] [--set key=value ...]   prints every setting
//   orderflow version
//   orderflow gateway-sim --port N [--data-dir DIR] [--error-rate ..] ...   payment gateway simulator
//   orderflow bench [--url URL] [--scenario LIST] [--rate N] ...   load generator (src/loadgen/bench.h)
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "app/app.h"
#include "app/config.h"
#include "base/log.h"
#include "gatewaysim/gateway_sim.h"
#include "loadgen/bench.h"

namespace {

of::Status build_config(of::app::Config& config, const std::string& config_file, const std::string& data_dir,
                        int port, const std::vector<std::string>& settings) {
  if (!config_file.empty()) OF_RETURN_IF_ERROR(of::app::load_config_file(config, config_file));
  if (!data_dir.empty()) OF_RETURN_IF_ERROR(of::app::set_config_value(config, "data_dir", data_dir));
  if (port >= 0) OF_RETURN_IF_ERROR(of::app::set_config_value(config, "http.port", std::to_string(port)));
  for (const auto& setting : settings) {
    auto equals = setting.find('=');
    if (equals == std::string::npos) {
      return of::Status::invalid("--set expects key=value, got '" + setting + "'");
    }
    OF_RETURN_IF_ERROR(of::app::set_config_value(config, setting.substr(0, equals), setting.substr(equals + 1)));
  }
  return of::app::validate(config);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"orderflow: a real-time order processing engine"};
  cli.require_subcommand(1);
  std::string config_file;
  std::string data_dir;
  int port = -1;
  std::vector<std::string> settings;
  auto add_config_options = [&](CLI::App* command) {
    command->add_option("--config", config_file, "JSON config file");
    command->add_option("--data-dir", data_dir, "data directory (config key data_dir)");
    command->add_option("--port", port, "HTTP port (config key http.port)");
    command->add_option("--set", settings, "override a config key: --set key=value (repeatable)");
  };
  auto* serve = cli.add_subcommand("serve", "run orderflow: API, pipeline and dashboard");
  add_config_options(serve);
  auto* config_command = cli.add_subcommand("config", "print every setting with its value, bounds and meaning");
  add_config_options(config_command);
  cli.add_subcommand("version", "print the version");
  // `orderflow gateway-sim`: the payment gateway simulator, its own process (src/gatewaysim/).
  of::gatewaysim::GatewaySimOptions sim_options;
  std::string sim_latency;
  auto* sim = cli.add_subcommand("gateway-sim", "run the payment gateway simulator (HTTP payment intents API)");
  sim->add_option("--port", sim_options.port, "HTTP port (0: any)")->capture_default_str();
  sim->add_option("--address", sim_options.address, "address to listen on")->capture_default_str();
  sim->add_option("--data-dir", sim_options.data_dir, "keep the ledger here across restarts (default: memory)");
  sim->add_option("--latency-ms", sim_latency, "latency of every answer: N or MIN..MAX milliseconds");
  sim->add_option("--error-rate", sim_options.faults.error_rate, "share of /v1 requests answered 500 undone");
  sim->add_option("--timeout-rate", sim_options.faults.timeout_rate, "share of /v1 requests held, then 504");
  sim->add_option("--timeout-hold-ms", sim_options.faults.timeout_hold_ms, "how long a timed-out request is held")
      ->capture_default_str();
  sim->add_option("--lost-response-rate", sim_options.faults.lost_response_rate,
                  "share of processed POSTs whose answer is lost");
  sim->add_option("--webhook-url", sim_options.webhook_url, "POST signed events here");
  sim->add_option("--webhook-secret", sim_options.webhook_secret,
                  "webhook signing secret (prefer the GATEWAY_SIM_WEBHOOK_SECRET environment variable)");
  sim->add_option("--seed", sim_options.seed, "seed for fault decisions (0: from the OS)");
  // `orderflow bench`: the load generator (src/loadgen/bench.h). It talks to a running server
  // over HTTP and takes none of the server's config options.
  of::loadgen::BenchOptions bench_options;
  double bench_rate = 0, bench_duration = 0;
  int bench_connections = 0;
  auto* bench = cli.add_subcommand("bench", "load-test a running orderflow: open/closed loop, scenarios, report");
  bench->add_option("--url", bench_options.url, "orderflow to load")->capture_default_str();
  bench->add_option("--scenario", bench_options.scenario,
                    "scenario list: steady, ramp, spike, closed, brief-10k, sustained-200, peak-500, "
                    "each with optional :key=value (rate, duration, connections, mode, orders, spike-*), "
                    "comma-separated")->capture_default_str();
  auto* bench_rate_option = bench->add_option("--rate", bench_rate, "open loop: orders per second (base rate)");
  auto* bench_duration_option = bench->add_option("--duration", bench_duration, "seconds per scenario");
  auto* bench_connections_option = bench->add_option("--connections", bench_connections, "keep-alive connections");
  bench->add_option("--mode", bench_options.mode, "open or closed (default: the scenario's)");
  bench->add_option("--products", bench_options.products, "catalog size (Zipf popularity)")->capture_default_str();
  bench->add_option("--zipf", bench_options.zipf_exponent, "Zipf exponent of product popularity")->capture_default_str();
  bench->add_option("--seed", bench_options.seed, "random seed")->capture_default_str();
  bench->add_option("--invalid-share", bench_options.invalid_share, "share of invalid orders")->capture_default_str();
  bench->add_option("--decline-share", bench_options.decline_share, "share of declined cards")->capture_default_str();
  bench->add_option("--cancel-share", bench_options.cancel_share, "share of orders cancelled once accepted")
      ->capture_default_str();
  bench->add_flag("--setup-catalog", bench_options.setup_catalog, "PUT the bench products with large stock first");
  bench->add_option("--stock", bench_options.stock_per_product, "units on hand per product with --setup-catalog")
      ->capture_default_str();
  bench->add_option("--report", bench_options.report_path, "write the JSON report to this file");
  bench->add_option("--svg", bench_options.svg_path, "write latency and throughput charts to this SVG file");
  bench->add_option("--server-pid", bench_options.server_pid, "measure this local process's CPU and RSS");
  bench->add_option("--label", bench_options.label, "a title for the table and report");
  bench->add_option("--fsync-dir", bench_options.fsync_dir, "measure the disk's fsync rate in this directory first");
  bench->add_option("--finish-timeout", bench_options.finish_timeout_s,
                    "seconds to wait for accepted orders to finish")->capture_default_str();
  bool bench_no_end_to_end = false;
  bench->add_flag("--no-end-to-end", bench_no_end_to_end, "do not read every order's history after a scenario");
  bench->add_flag("--quiet", bench_options.quiet, "no progress lines on stderr");
  CLI11_PARSE(cli, argc, argv);
  if (cli.got_subcommand("bench")) {
    if (bench_rate_option->count() > 0) bench_options.rate_per_s = bench_rate;
    if (bench_duration_option->count() > 0) bench_options.duration_s = bench_duration;
    if (bench_connections_option->count() > 0) bench_options.connections = bench_connections;
    bench_options.end_to_end = !bench_no_end_to_end;
    std::signal(SIGPIPE, SIG_IGN);
    return of::loadgen::run_bench_command(bench_options);
  }

  if (cli.got_subcommand("gateway-sim")) {
    of::init_logging(of::LogFormat::kText, "info");
    if (const char* secret = std::getenv("GATEWAY_SIM_WEBHOOK_SECRET"); secret && sim_options.webhook_secret.empty()) {
      sim_options.webhook_secret = secret;
    }
    if (!sim_latency.empty()) {
      of::Status latency = of::gatewaysim::parse_latency(sim_latency, sim_options.faults);
      if (!latency.is_ok()) {
        std::fprintf(stderr, "orderflow gateway-sim: %s\n", latency.message().c_str());
        return 2;
      }
    }
    return of::gatewaysim::run_gateway_sim_until_signal(sim_options);
  }
  if (cli.got_subcommand("version")) {
    std::printf("orderflow 0.1.0\n");
    return 0;
  }
  of::app::Config config;
  of::Status built = build_config(config, config_file, data_dir, port, settings);
  if (!built.is_ok()) {
    std::fprintf(stderr, "orderflow: %s\n", built.message().c_str());
    return 2;
  }
  if (cli.got_subcommand("config")) {
    std::fputs(of::app::describe(config).c_str(), stdout);
    return 0;
  }

  // Signals are taken by sigwait in run_until_signal: block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  of::init_logging(config.log_format == "json" ? of::LogFormat::kJson : of::LogFormat::kText, config.log_level);
  of::app::App app(config);
  of::Status started = app.start();
  if (!started.is_ok()) {
    OF_LOG_ERROR("orderflow could not start: {}", started.to_string());
    app.stop();
    return 1;
  }
  return app.run_until_signal();
}
