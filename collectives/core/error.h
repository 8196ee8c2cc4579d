#pragma once
// The one error type of hockney, and the check macros that raise it with file:line and the
// compared values. Destructors never throw; everything else reports failure through Error.
#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace hockney {

class Error : public std::runtime_error {
 public:
  Error(const char* file, int line, const std::string& message)
      : std::runtime_error(message), file_(file), line_(line) {}
  const char* file() const noexcept { return file_; }
  int line() const noexcept { return line_; }

 private:
  const char* file_;
  int line_;
};

// An error a user caused (bad option, malformed file): the message alone is what they need.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Process exit codes, the same for every subcommand and every rank.
enum ExitCode : int {
  kExitOk = 0,           // every check passed
  kExitCheckFailed = 1,  // a result failed its validation
  kExitUsage = 2,        // bad input: options, files, sizes, layouts
  kExitWatchdog = 3,     // a collective call stalled and the watchdog ended the job
  kExitInternal = 4,     // an internal or environment failure (allocation, MPI, I/O)
  kExitIncomplete = 5,   // calibrate: a fit rests on too few sizes or was never checked
  kExitInterrupted = 6,  // SIGTERM or SIGINT ended a measurement; its checkpoint keeps the points
};

}  // namespace hockney

#define HOCKNEY_THROW(...) throw ::hockney::Error(__FILE__, __LINE__, ::fmt::format(__VA_ARGS__))

#define HOCKNEY_CHECK(cond, ...)                                                     \
  do {                                                                               \
    if (!(cond))                                                                     \
      throw ::hockney::Error(                                                        \
          __FILE__, __LINE__,                                                        \
          ::fmt::format("check failed: {}: {}", #cond, ::fmt::format(__VA_ARGS__))); \
  } while (0)

#define HOCKNEY_CHECK_EQ(a, b, ...)                                                            \
  do {                                                                                         \
    const auto& hockneyA_ = (a);                                                               \
    const auto& hockneyB_ = (b);                                                               \
    if (!(hockneyA_ == hockneyB_))                                                             \
      throw ::hockney::Error(__FILE__, __LINE__,                                               \
                             ::fmt::format("check failed: {} == {} ({} vs {}): {}", #a, #b,    \
                                           hockneyA_, hockneyB_, ::fmt::format(__VA_ARGS__))); \
  } while (0)

#define HOCKNEY_USAGE_CHECK(cond, ...)                                    \
  do {                                                                    \
    if (!(cond)) throw ::hockney::UsageError(::fmt::format(__VA_ARGS__)); \
  } while (0)
