#include "reports/json_io.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "collectives/core/error.h"

namespace hockney {

nlohmann::json readJsonFile(const std::string& path, std::string_view what) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw UsageError(fmt::format("cannot read {} {}: it is a directory", what, path));
  std::ifstream in(path);
  if (!in) throw UsageError(fmt::format("cannot read {} {}: {}", what, path, std::strerror(errno)));
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw UsageError(fmt::format("{} {} is not valid JSON: {}", what, path, e.what()));
  }
}

std::string readTextFile(const std::string& path, std::string_view what) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw UsageError(fmt::format("cannot read {} {}: it is a directory", what, path));
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
