#include "reports/json_io.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "collectives/core/error.h"

namespace hockney {

namespace {

// Only regular files are read: a directory is an error, and a FIFO or device would block or never
// end (a FIFO with no writer hangs the open).
void checkRegularFile(const std::string& path, std::string_view what) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) return;  // the open below names the error
  if (std::filesystem::is_directory(status))
    throw UsageError(fmt::format("cannot read {} {}: it is a directory", what, path));
  if (!std::filesystem::is_regular_file(status))
    throw UsageError(fmt::format("cannot read {} {}: not a regular file (a FIFO, socket or device)",
                                 what, path));
}

}  // namespace

nlohmann::json readJsonFile(const std::string& path, std::string_view what) {
  checkRegularFile(path, what);
  std::ifstream in(path);
  if (!in) throw UsageError(fmt::format("cannot read {} {}: {}", what, path, std::strerror(errno)));
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw UsageError(fmt::format("{} {} is not valid JSON: {}", what, path, e.what()));
  }
}

std::string readTextFile(const std::string& path, std::string_view what) {
  checkRegularFile(path, what);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(fmt::format("cannot read {} {}: {}", what, path, std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void throwMalformed(const std::string& path, const std::exception& e) {
  throw UsageError(fmt::format("{} is malformed: {}", path, e.what()));
}

}  // namespace hockney
