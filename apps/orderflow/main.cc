// orderflow: one binary, subcommands.
//   orderflow serve [--config FILE] [--data-dir DIR] [--port N] [--set key=value ...]
//   orderflow config [--config FILE] [--set key=value ...]   prints every setting
//   orderflow version
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "app/app.h"
#include "app/config.h"
#include "base/log.h"

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
  CLI11_PARSE(cli, argc, argv);

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
