#include "collectives/core/link_level.h"

#include <array>

namespace hockney {
namespace {

constexpr std::array<std::string_view, 6> kNames{"self", "numa",    "socket",
                                                 "node", "network", "world"};

}  // namespace

std::string_view name(LinkLevel level) {
  return kNames.at(static_cast<size_t>(level));
}

std::optional<LinkLevel> parseLinkLevel(std::string_view text) {
  for (size_t i = 0; i + 1 < kNames.size(); ++i)
    if (text == kNames[i]) return static_cast<LinkLevel>(i);
  return std::nullopt;
}

std::optional<LinkLevel> readLinkLevel(std::string_view text) {
  if (auto level = parseLinkLevel(text)) return level;
  if (text.empty() || text == "world") return LinkLevel::kUnrecorded;
  if (text == "intra") return LinkLevel::kNode;  // before topology discovery
  if (text == "inter") return LinkLevel::kNetwork;
  return std::nullopt;
}

std::string linkLevelNames() {
  std::string out;
  for (size_t i = 0; i + 1 < kNames.size(); ++i) out += (i ? ", " : "") + std::string(kNames[i]);
  return out;
}

bool withinHost(LinkLevel level) {
  return level == LinkLevel::kSelf || level == LinkLevel::kNuma || level == LinkLevel::kSocket ||
         level == LinkLevel::kNode;
}

}  // namespace hockney
