#include "microbench/interrupt.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>

#include "collectives/core/error.h"

namespace hockney {
namespace {

// The handler may only write a buffer and exit: the line is copied into a fixed buffer with the
// signals blocked, so the handler never sees half of it.
char gLine[2048];
volatile sig_atomic_t gLength = 0;

void writeAll(const char* text, size_t n) {
  while (n > 0) {
    const ssize_t done = ::write(STDERR_FILENO, text, n);
    if (done <= 0) return;
    text += done;
    n -= static_cast<size_t>(done);
  }
}

extern "C" void onInterrupt(int signal) {
  const char* name =
      signal == SIGTERM ? "hockney: interrupted by SIGTERM" : "hockney: interrupted by SIGINT";
  if (gLength > 0) {
    writeAll(name, std::strlen(name));
    writeAll(gLine, static_cast<size_t>(gLength));
  }
  ::_exit(kExitInterrupted);
}

sigset_t interruptSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

void exitOnInterrupt() {
  struct sigaction action {};
  action.sa_handler = onInterrupt;
  sigemptyset(&action.sa_mask);
  sigaddset(&action.sa_mask, SIGTERM);
  sigaddset(&action.sa_mask, SIGINT);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
}

void setInterruptLine(const std::string& line) {
  const sigset_t set = interruptSignals();
  sigset_t old;
  sigprocmask(SIG_BLOCK, &set, &old);
  const size_t n = std::min(line.size(), sizeof gLine - 1);
  std::memcpy(gLine, line.data(), n);
  gLength = static_cast<sig_atomic_t>(n);
  sigprocmask(SIG_SETMASK, &old, nullptr);
}

std::string checkpointInterruptLine(const std::string& checkpoint) {
  return fmt::format(
      " (exit {}): the points measured so far are kept in {}; run the same command again with "
      "--resume to measure only the rest\n",
      static_cast<int>(kExitInterrupted), checkpoint);
}

}  // namespace hockney
