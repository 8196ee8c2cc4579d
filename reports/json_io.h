#pragma once
// The one way hockney reads JSON files (results, calibrations, model files): every failure is a
// UsageError naming the file, never a crash or a "fatal".
#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "collectives/core/error.h"

namespace hockney {

// Reads and parses `path`; throws UsageError naming it when it is missing, a directory,
// unreadable or not JSON. `what` names the kind of file for the message ("calibration", ...).
nlohmann::json readJsonFile(const std::string& path, std::string_view what);

// The whole text of `path`; throws UsageError naming it when it is missing, a directory or
// unreadable.
std::string readTextFile(const std::string& path, std::string_view what);

// Runs `read` (which interprets JSON from `path`); a missing field or a wrong type inside becomes
// a UsageError naming the file and the problem.
template <typename Read>
decltype(auto) interpretJson(const std::string& path, Read&& read);

// An integer field that fits T (0..max): 4.4e27 ranks or -3 bytes are bad input (UsageError
// naming the field), never an undefined cast.
template <typename T>
T wholeNumber(const nlohmann::json& j, const char* key) {
  const nlohmann::json& v = j.at(key);
  const uint64_t max = static_cast<uint64_t>(std::numeric_limits<T>::max());
  const bool fits = (v.is_number_unsigned() && v.get<uint64_t>() <= max) ||
                    (v.is_number_integer() && !v.is_number_unsigned() && v.get<int64_t>() >= 0 &&
                     static_cast<uint64_t>(v.get<int64_t>()) <= max);
  HOCKNEY_USAGE_CHECK(fits, "field '{}' must be a whole number in 0..{}, not {}", key, max,
                      v.dump());
  return static_cast<T>(v.get<uint64_t>());
}

template <typename T>
T wholeNumberOr(const nlohmann::json& j, const char* key, T fallback) {
  return j.contains(key) ? wholeNumber<T>(j, key) : fallback;
}

[[noreturn]] void throwMalformed(const std::string& path, const std::exception& e);

template <typename Read>
decltype(auto) interpretJson(const std::string& path, Read&& read) {
  try {
    return read();
  } catch (const nlohmann::json::exception& e) {
    throwMalformed(path, e);
  } catch (const UsageError& e) {  // a field checked by hand: name the file if the message doesn't
    if (std::string_view(e.what()).find(path) != std::string_view::npos) throw;
    throwMalformed(path, e);
  }
}

}  // namespace hockney
