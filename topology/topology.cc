#include "topology/topology.h"

#include <algorithm>
#include <array>
#include <map>

#include <fmt/format.h>

#include "collectives/core/error.h"

namespace hockney {
namespace {

std::string gib(size_t bytes) {
  return fmt::format("{:.1f} GiB", static_cast<double>(bytes) / (1u << 30));
}

}  // namespace

std::string gpuLink(const Gpu& a, const Gpu& b) {
  auto has = [](const Gpu& g, const std::string& peer) {
    return std::find(g.nvlinkPeers.begin(), g.nvlinkPeers.end(), peer) != g.nvlinkPeers.end();
  };
  if (a.nvlinkKnown && b.nvlinkKnown &&
      ((has(a, b.pciBusId) && has(b, a.pciBusId)) || (has(a, "nvswitch") && has(b, "nvswitch"))))
    return "nvlink";
  if (a.pciPath.empty() || b.pciPath.empty()) return "unknown";
  size_t common = 0;
  while (common < a.pciPath.size() && common < b.pciPath.size() &&
         a.pciPath[common] == b.pciPath[common])
    ++common;
  if (common >= 2) return "pcie_switch";  // the host bridge and at least one PCI bridge
  if (common == 1) return "host_bridge";
  if (a.package >= 0 && a.package == b.package) return "package";
  return a.package >= 0 && b.package >= 0 ? "system" : "unknown";
}

LinkLevel Topology::level(int a, int b) const {
  if (a == b) return LinkLevel::kSelf;
  const RankRecord &x = ranks.at(a), &y = ranks.at(b);
  if (x.host != y.host) return LinkLevel::kNetwork;
  if (x.place.numa >= 0 && x.place.numa == y.place.numa) return LinkLevel::kNuma;
  if (x.place.package >= 0 && x.place.package == y.place.package) return LinkLevel::kSocket;
  return LinkLevel::kNode;
}

LinkLevel Topology::widest(std::span<const int> group) const {
  LinkLevel w = LinkLevel::kSelf;
  for (size_t i = 0; i < group.size(); ++i)
    for (size_t j = i + 1; j < group.size(); ++j) {
      w = std::max(w, level(group[i], group[j]));
      if (w == LinkLevel::kNetwork) return w;  // nothing is wider
    }
  return w;
}

LinkLevel Topology::widest() const {
  // Two ranks on different hosts, packages or NUMA nodes decide it; no need for all pairs.
  if (hosts.size() > 1) return LinkLevel::kNetwork;
  std::vector<int> all(ranks.size());
  for (size_t r = 0; r < all.size(); ++r) all[r] = static_cast<int>(r);
  return widest(all);
}

std::vector<int> Topology::nodeOfRank() const {
  std::vector<int> nodes;
  for (const RankRecord& r : ranks) nodes.push_back(r.host);
  return nodes;
}

int Topology::mostRanksPerHost() const {
  std::vector<int> count(hosts.size());
  for (const RankRecord& r : ranks) ++count.at(r.host);
  return count.empty() ? 0 : *std::max_element(count.begin(), count.end());
}

Topology assembleTopology(const std::vector<Discovery>& perRank) {
  Topology t;
  std::map<std::string, int> index;
  for (size_t r = 0; r < perRank.size(); ++r) {
    const Discovery& d = perRank[r];
    auto [it, added] = index.emplace(d.host.hostname, static_cast<int>(t.hosts.size()));
    if (added) {
      t.hosts.push_back(d.host);
    } else {
      const HostTopology& known = t.hosts[it->second];
      HOCKNEY_USAGE_CHECK(
          known.cores == d.host.cores && known.packages == d.host.packages &&
              known.numaNodes == d.host.numaNodes,
          "ranks {} and {} both report host name '{}' but different hardware "
          "({} vs {} cores); give every machine its own host name",
          std::find_if(perRank.begin(), perRank.end(),
                       [&](const Discovery& o) { return o.host.hostname == d.host.hostname; }) -
              perRank.begin(),
          r, d.host.hostname, known.cores, d.host.cores);
    }
    t.ranks.push_back({it->second, d.place});
  }
  return t;
}

nlohmann::json toJson(const Topology& t) {
  nlohmann::json hosts = nlohmann::json::array(), ranks = nlohmann::json::array();
  for (const auto& h : t.hosts) hosts.push_back(toJson(h));
  for (size_t r = 0; r < t.ranks.size(); ++r) {
    const RankRecord& x = t.ranks[r];
    ranks.push_back({{"rank", r},
                     {"host", t.hosts[x.host].hostname},
                     {"package", x.place.package},
                     {"numa", x.place.numa},
                     {"cpus", x.place.cpus}});
  }
  std::map<std::string, long> pairs;
  if (t.ranks.size() <= 4096)
    for (int a = 0; a < t.size(); ++a)
      for (int b = a + 1; b < t.size(); ++b) ++pairs[std::string(name(t.level(a, b)))];
  return {{"hosts", hosts},
          {"ranks", ranks},
          {"widest_level", name(t.widest())},
          {"pairs_per_level", pairs}};
}

Topology topologyFromJson(const nlohmann::json& j) {
  try {
    Topology t;
    std::map<std::string, int> index;
    for (const auto& h : j.at("hosts")) {
      t.hosts.push_back(hostFromJson(h));
      index[t.hosts.back().hostname] = static_cast<int>(t.hosts.size()) - 1;
    }
    for (const auto& r : j.at("ranks")) {
      const std::string host = r.at("host").get<std::string>();
      HOCKNEY_USAGE_CHECK(index.count(host), "topology: rank {} is on unknown host '{}'",
                          t.ranks.size(), host);
      t.ranks.push_back(
          {index[host],
           {r.at("package").get<int>(), r.at("numa").get<int>(), r.at("cpus").get<std::string>()}});
    }
    return t;
  } catch (const nlohmann::json::exception& e) {
    throw UsageError(fmt::format("malformed topology: {}", e.what()));
  }
}

nlohmann::json toJson(const Discovery& d) {
  return {{"host", toJson(d.host)},
          {"package", d.place.package},
          {"numa", d.place.numa},
          {"cpus", d.place.cpus}};
}

Discovery discoveryFromJson(const nlohmann::json& j) {
  try {
    return {hostFromJson(j.at("host")),
            {j.at("package").get<int>(), j.at("numa").get<int>(), j.at("cpus").get<std::string>()}};
  } catch (const nlohmann::json::exception& e) {
    throw UsageError(fmt::format("malformed rank discovery: {}", e.what()));
  }
}

std::vector<std::vector<std::string>> hostsOnOneMachine(const Topology& t) {
  std::vector<std::vector<std::string>> groups;
  std::map<std::string, size_t> byBoot;
  for (const HostTopology& h : t.hosts) {
    if (h.bootId.empty()) continue;
    auto [it, added] = byBoot.emplace(h.bootId, groups.size());
    if (added) groups.emplace_back();
    groups[it->second].push_back(h.hostname);
  }
  std::erase_if(groups, [](const auto& g) { return g.size() < 2; });
  return groups;
}

std::string oneMachineNote(const Topology& t) {
  std::string out;
  for (const auto& g : hostsOnOneMachine(t))
    out += fmt::format(
        "# note: hosts {} are one machine (one kernel boot_id): they share its CPUs and memory, "
        "so a link between them measures that machine, not a network\n",
        fmt::join(g, ", "));
  return out;
}

std::string formatTopology(const Topology& t, int matrixLimit) {
  std::string out = fmt::format("# {} rank(s) on {} host(s); widest link level: {}\n", t.size(),
                                t.hosts.size(), name(t.widest()));
  for (size_t h = 0; h < t.hosts.size(); ++h) {
    const HostTopology& x = t.hosts[h];
    std::vector<int> here;
    for (int r = 0; r < t.size(); ++r)
      if (t.ranks[r].host == static_cast<int>(h)) here.push_back(r);
    size_t memory = 0;
    for (size_t m : x.numaMemoryBytes) memory += m;
    out += fmt::format(
        "host {}: {} package(s), {} NUMA node(s), {} cores, {} hardware threads, {} memory; "
        "ranks {}\n",
        x.hostname, x.packages, x.numaNodes, x.cores, x.hardwareThreads, gib(memory),
        fmt::join(here, ","));
    for (size_t n = 0; n < x.numaMemoryBytes.size(); ++n)
      out += fmt::format("  numa {}: {}\n", n, gib(x.numaMemoryBytes[n]));
    for (const Nic& n : x.nics)
      out += fmt::format("  nic {} ({}{}{})\n", n.name, n.kind,
                         n.speedMbps > 0 ? fmt::format(", {} Mbit/s", n.speedMbps) : "",
                         n.pciBusId.empty() ? ", virtual" : ", pci " + n.pciBusId);
    for (const Gpu& g : x.gpus)
      out += fmt::format(
          "  gpu {} ({}{}{})\n", g.pciBusId, g.vendor,
          g.package >= 0 ? fmt::format(", package {}", g.package) : "",
          g.nvlinkKnown ? fmt::format(", {} NVLink peer(s)", g.nvlinkPeers.size()) : "");
    if (x.gpus.empty()) out += "  no GPUs\n";
    if (x.gpus.size() >= 2) {
      out +=
          "  gpu links (NV nvlink, PIX pcie_switch, PHB host_bridge, NODE package, SYS "
          "system)\n      ";
      for (size_t b = 0; b < x.gpus.size(); ++b) out += fmt::format("{:>5}", b);
      out += "\n";
      for (size_t a = 0; a < x.gpus.size(); ++a) {
        out += fmt::format("  {:>4}", a);
        for (size_t b = 0; b < x.gpus.size(); ++b) {
          const std::string l = a == b ? "X" : gpuLink(x.gpus[a], x.gpus[b]);
          out += fmt::format("{:>5}", l == "nvlink"        ? "NV"
                                      : l == "pcie_switch" ? "PIX"
                                      : l == "host_bridge" ? "PHB"
                                      : l == "package"     ? "NODE"
                                      : l == "system"      ? "SYS"
                                      : l == "X"           ? "X"
                                                           : "?");
        }
        out += "\n";
      }
    }
  }
  out += "placement (rank: host package numa cpus)\n";
  for (int r = 0; r < t.size(); ++r) {
    const RankRecord& x = t.ranks[r];
    auto idx = [](int v) { return v < 0 ? std::string("-") : std::to_string(v); };
    out += fmt::format("  {:>4}: {} {} {} {}\n", r, t.hosts[x.host].hostname, idx(x.place.package),
                       idx(x.place.numa), x.place.cpus);
  }
  if (t.size() <= matrixLimit) {
    out += "link levels (S self, U numa, K socket, N node, X network)\n      ";
    for (int b = 0; b < t.size(); ++b) out += fmt::format("{:>3}", b);
    out += "\n";
    for (int a = 0; a < t.size(); ++a) {
      out += fmt::format("  {:>4}", a);
      for (int b = 0; b < t.size(); ++b) out += fmt::format("{:>3}", "SUKNX"[int(t.level(a, b))]);
      out += "\n";
    }
  } else {
    std::map<LinkLevel, long> pairs;
    for (int a = 0; a < t.size(); ++a)
      for (int b = a + 1; b < t.size(); ++b) ++pairs[t.level(a, b)];
    out += "rank pairs per level:";
    for (const auto& [level, n] : pairs) out += fmt::format(" {} {}", name(level), n);
    out += "\n";
  }
  return out;
}

}  // namespace hockney
