#pragma once
// Shared by the libFuzzer targets: bad input must end in a UsageError (a clear message, exit 2);
// anything else escaping (an internal Error, a JSON exception, a crash, a sanitizer report) is
// a bug the fuzzer reports with its input.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

#include "collectives/core/error.h"

namespace hockney::fuzz {

inline std::string text(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// Readers take paths: the input goes to a file of this process.
inline std::string asFile(const uint8_t* data, size_t size, const char* suffix) {
  const std::string path = "/tmp/hockney-fuzz-" + std::to_string(::getpid()) + suffix;
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

template <typename F>
void expectUsageErrorsOnly(F&& f) {
  try {
    f();
  } catch (const UsageError&) {
    // bad input, reported as such: fine
  }
}

}  // namespace hockney::fuzz
