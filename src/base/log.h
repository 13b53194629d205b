// Logging: JSON lines (one object per line) or plain text on stderr, via spdlog.
//
// Every line carries time, level and message; callers add context with
// key=value text in the message (order=..., trace=...). JSON mode escapes the
// message properly, so a log line can never break the JSON framing.
// init_logging() is called once by the composition root before any thread starts.
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace of {

enum class LogFormat { kText, kJson };

void init_logging(LogFormat format, std::string_view level);

// Escapes text for a JSON string body (no surrounding quotes).
void append_json_escaped(std::string& out, std::string_view text);

}  // namespace of

#define OF_LOG_DEBUG(...) ::spdlog::debug(__VA_ARGS__)
#define OF_LOG_INFO(...) ::spdlog::info(__VA_ARGS__)
#define OF_LOG_WARN(...) ::spdlog::warn(__VA_ARGS__)
#define OF_LOG_ERROR(...) ::spdlog::error(__VA_ARGS__)
