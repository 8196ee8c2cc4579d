#include "microbench/sizes.h"

#include <cctype>
#include <charconv>
#include <limits>

#include <fmt/format.h>

#include "collectives/core/error.h"
#include "collectives/core/split.h"

namespace hockney {

size_t parseSize(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  size_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  HOCKNEY_USAGE_CHECK(ec == std::errc() && end != s.data(),
                      "bad size '{}': expected a byte count such as 1004, 64K, 1M or 2G", text);
  std::string suffix(end, s.data() + s.size());
  for (char& c : suffix) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  size_t scale = 1;
  if (!suffix.empty() && (suffix[0] == 'K' || suffix[0] == 'M' || suffix[0] == 'G')) {
    scale = suffix[0] == 'K'   ? size_t{1} << 10
            : suffix[0] == 'M' ? size_t{1} << 20
                               : size_t{1} << 30;
    suffix.erase(0, 1);
    if (suffix == "IB" || suffix == "B") suffix.clear();
  } else if (suffix == "B") {
    suffix.clear();
  }
  HOCKNEY_USAGE_CHECK(suffix.empty(),
                      "bad size '{}': unknown unit (use a plain byte count or K, M, G)", text);
  HOCKNEY_USAGE_CHECK(value <= std::numeric_limits<size_t>::max() / scale, "size '{}' is too large",
                      text);
  return value * scale;
}

std::vector<size_t> parseSizeList(std::string_view text) {
  HOCKNEY_USAGE_CHECK(!text.empty(),
                      "--sizes is empty; give sizes separated by commas (4,1004,64K)");
  std::vector<size_t> sizes;
  std::vector<std::string> spelled;
  for (const std::string& part : splitCommas(text)) {
    const size_t s = parseSize(part);
    // One size twice would be two rows of one point: compare would pair them, fit count it twice.
    for (size_t i = 0; i < sizes.size(); ++i)
      HOCKNEY_USAGE_CHECK(sizes[i] != s, "--sizes names {} bytes twice ({} and {})", s, spelled[i],
                          part);
    sizes.push_back(s);
    spelled.push_back(part);
  }
  return sizes;
}

std::vector<size_t> geometricSizes(size_t minBytes, size_t maxBytes, size_t factor) {
  HOCKNEY_USAGE_CHECK(minBytes <= maxBytes, "--min-bytes ({}) is larger than --max-bytes ({})",
                      minBytes, maxBytes);
  HOCKNEY_USAGE_CHECK(factor >= 2, "--step-factor must be at least 2, not {}", factor);
  std::vector<size_t> sizes;
  for (size_t s = minBytes;; s *= factor) {
    sizes.push_back(s);
    if (s == 0 || s > maxBytes / factor) break;
  }
  return sizes;
}

void checkWholeElements(const std::vector<size_t>& sizes, DataType type) {
  for (size_t s : sizes)
    HOCKNEY_USAGE_CHECK(s % elementSize(type) == 0,
                        "size {} bytes is not a whole number of {} elements ({} bytes each)", s,
                        name(type), elementSize(type));
}

std::string formatBytes(size_t bytes) {
  if (bytes >= (size_t{1} << 30) && bytes % (size_t{1} << 30) == 0)
    return fmt::format("{} GiB", bytes >> 30);
  if (bytes >= (size_t{1} << 20) && bytes % (size_t{1} << 20) == 0)
    return fmt::format("{} MiB", bytes >> 20);
  if (bytes >= (size_t{1} << 10) && bytes % (size_t{1} << 10) == 0)
    return fmt::format("{} KiB", bytes >> 10);
  return fmt::format("{} B", bytes);
}

}  // namespace hockney
