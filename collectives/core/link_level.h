#pragma once
// The link levels a message can cross, narrowest first, and one value for "not recorded" (rows
// of older reports and imported logs that say nothing of where they ran). Every layer passes
// LinkLevel; strings exist only at the JSON and command-line edges, written by name() and read by
// parseLinkLevel() (the five names) or readLinkLevel() (also the names older reports used).
#include <optional>
#include <string>
#include <string_view>

namespace hockney {

enum class LinkLevel {
  kSelf,        // the same rank
  kNuma,        // one NUMA node holds both ranks' bindings
  kSocket,      // one package, different (or unbound across) NUMA nodes
  kNode,        // the same host, different (or unbound across) packages
  kNetwork,     // different hosts
  kUnrecorded,  // no level recorded: older reports, imported logs without device lines
};

// "self", "numa", "socket", "node", "network"; "world" for kUnrecorded, the name calibrations
// have always given fits of rows without a level.
std::string_view name(LinkLevel level);
// The five levels a user may name (--level); nullopt for anything else.
std::optional<LinkLevel> parseLinkLevel(std::string_view name);
// What a report or calibration may hold: the five names, "world" or "" (not recorded), and the
// old names "intra" (node) and "inter" (network). nullopt for anything else.
std::optional<LinkLevel> readLinkLevel(std::string_view name);
// "self, numa, socket, node, network".
std::string linkLevelNames();
// Within one host: self, numa, socket or node.
bool withinHost(LinkLevel level);

}  // namespace hockney
