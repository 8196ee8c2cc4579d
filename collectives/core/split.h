#pragma once
// Comma-separated option values ("ring,tree", "4,1004,64K", "tp,pp,dp"): every piece, empty
// ones included, so that the caller's check names a doubled or trailing comma.
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hockney {

inline std::vector<std::string> splitCommas(std::string_view text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    parts.emplace_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return parts;
}

// The whole decimal number `text` spells, all of it ("64", not "64x" or ""), or nullopt.
inline std::optional<long> wholeNumber(const std::string& text) {
  size_t used = 0;
  long v = 0;
  try {
    v = std::stol(text, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (used != text.size()) return std::nullopt;
  return v;
}

}  // namespace hockney
