// OF_ASSERT: checks a programmer error, and stays on in release builds.
//
// Never assert on data that came from outside (a request, a message, a row):
// validate it and return a Status. A failed assertion logs and aborts.
#pragma once

namespace of::detail {
[[noreturn]] void assert_failed(const char* expr, const char* file, int line, const char* message);
}  // namespace of::detail

#define OF_ASSERT(expr) \
  ((expr) ? (void)0 : ::of::detail::assert_failed(#expr, __FILE__, __LINE__, nullptr))
#define OF_ASSERT_MSG(expr, msg) \
  ((expr) ? (void)0 : ::of::detail::assert_failed(#expr, __FILE__, __LINE__, (msg)))
