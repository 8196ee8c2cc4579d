#pragma once
// The one way hockney reads JSON files (results, calibrations, model files): every failure is a
// UsageError naming the file, never a crash or a "fatal".
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace hockney {

// Reads and parses `path`; throws UsageError naming it when it is missing, a directory,
// unreadable or not JSON. `what` names the kind of file for the message ("calibration", ...).
nlohmann::json readJsonFile(const std::string& path, std::string_view what);

// Runs `read` (which interprets JSON from `path`); a missing field or a wrong type inside becomes
// a UsageError naming the file and the problem.
template <typename Read>
decltype(auto) interpretJson(const std::string& path, Read&& read);

[[noreturn]] void throwMalformed(const std::string& path, const std::exception& e);

template <typename Read>
decltype(auto) interpretJson(const std::string& path, Read&& read) {
  try {
    return read();
  } catch (const nlohmann::json::exception& e) {
    throwMalformed(path, e);
  }
}

}  // namespace hockney
