// Topology: link levels from places, assembly from per-rank discovery, its JSON, the summary;
// the pair matrix's order and rounds.
#include <gtest/gtest.h>

#include <set>

#include "collectives/core/error.h"
#include "microbench/pairs.h"
#include "topology/nvlink.h"
#include "topology/topology.h"

namespace hockney {
namespace {

HostTopology host(const std::string& name, int packages = 2, int numa = 2) {
  HostTopology h;
  h.hostname = name;
  h.packages = packages;
  h.numaNodes = numa;
  h.cores = 16;
  h.hardwareThreads = 32;
  h.hwlocVersion = "2.9.0";
  h.numaMemoryBytes = std::vector<size_t>(static_cast<size_t>(numa), size_t{64} << 30);
  h.nics = {{"ib0", "infiniband", 200000, "0000:3b:00.0"}, {"veth0", "ethernet", 0, ""}};
  Gpu g;
  g.pciBusId = "0000:17:00.0";
  g.vendor = "nvidia";
  h.gpus = {g};
  return h;
}

Gpu gpu(std::string bus, std::vector<std::string> path, int package,
        std::optional<std::vector<std::string>> nvlink = std::nullopt) {
  Gpu g;
  g.pciBusId = std::move(bus);
  g.vendor = "nvidia";
  g.pciPath = std::move(path);
  g.package = package;
  g.nvlinkKnown = nvlink.has_value();
  if (nvlink) g.nvlinkPeers = *nvlink;
  return g;
}

// A PCIe server of two packages: GPUs 0 and 1 behind one switch, 2 on its own root port of the
// same host bridge, 3 on another host bridge of package 0, 4 on package 1; no NVML.
std::vector<Gpu> pcieServer() {
  return {gpu("0000:18:00.0", {"host:0000:16", "bridge:0000:16:00.0", "bridge:0000:17:00.0"}, 0),
          gpu("0000:19:00.0", {"host:0000:16", "bridge:0000:16:00.0", "bridge:0000:17:04.0"}, 0),
          gpu("0000:21:00.0", {"host:0000:16", "bridge:0000:16:02.0"}, 0),
          gpu("0000:3b:00.0", {"host:0000:3a", "bridge:0000:3a:00.0"}, 0),
          gpu("0000:86:00.0", {"host:0000:85", "bridge:0000:85:00.0"}, 1)};
}

// Two hosts of two packages (one NUMA node each); ranks 0-3 on a, 4-5 on b; rank 3 unbound.
Topology twoHosts() {
  std::vector<Discovery> d{{host("a"), {0, 0, "0-7"}},  {host("a"), {0, 0, "0-7"}},
                           {host("a"), {1, 1, "8-15"}}, {host("a"), {-1, -1, "0-15"}},
                           {host("b"), {0, 0, "0-7"}},  {host("b"), {0, 0, "0-7"}}};
  return assembleTopology(d);
}

TEST(Topology, LevelsFollowTheSmallestObjectHoldingBothRanks) {
  const Topology t = twoHosts();
  ASSERT_EQ(t.hosts.size(), 2u);
  EXPECT_EQ(t.level(0, 0), LinkLevel::kSelf);
  EXPECT_EQ(t.level(0, 1), LinkLevel::kNuma);
  EXPECT_EQ(t.level(0, 2), LinkLevel::kNode);  // other package
  EXPECT_EQ(t.level(0, 3), LinkLevel::kNode);  // unbound across packages: the widest it may be
  EXPECT_EQ(t.level(3, 4), LinkLevel::kNetwork);
  EXPECT_EQ(t.widest(), LinkLevel::kNetwork);
  const std::vector<int> firstTwo{0, 1};
  EXPECT_EQ(t.widest(firstTwo), LinkLevel::kNuma);
  EXPECT_EQ(t.nodeOfRank(), (std::vector<int>{0, 0, 0, 0, 1, 1}));
  EXPECT_EQ(t.mostRanksPerHost(), 4);
  // One package holding two NUMA nodes: socket.
  std::vector<Discovery> d{{host("s", 1, 2), {0, 0, "0-3"}}, {host("s", 1, 2), {0, 1, "4-7"}}};
  EXPECT_EQ(assembleTopology(d).level(0, 1), LinkLevel::kSocket);
}

TEST(Topology, LevelNamesRoundTrip) {
  for (LinkLevel l : {LinkLevel::kSelf, LinkLevel::kNuma, LinkLevel::kSocket, LinkLevel::kNode,
                      LinkLevel::kNetwork})
    EXPECT_EQ(parseLinkLevel(name(l)), l);
  EXPECT_FALSE(parseLinkLevel("nvlink"));
  EXPECT_EQ(linkLevelNames(), "self, numa, socket, node, network");
}

TEST(Topology, JsonRoundTripKeepsHostsPlacesAndDevices) {
  const Topology t = twoHosts();
  const Topology back = topologyFromJson(toJson(t));
  EXPECT_EQ(back.hosts, t.hosts);
  ASSERT_EQ(back.ranks.size(), t.ranks.size());
  for (size_t r = 0; r < t.ranks.size(); ++r) {
    EXPECT_EQ(back.ranks[r].host, t.ranks[r].host);
    EXPECT_EQ(back.ranks[r].place, t.ranks[r].place);
  }
  const auto j = toJson(t);
  EXPECT_EQ(j["widest_level"], "network");
  EXPECT_EQ(j["pairs_per_level"]["network"], 8);
  EXPECT_EQ(j["pairs_per_level"]["numa"], 2);
  EXPECT_THROW(topologyFromJson(nlohmann::json{{"hosts", 3}}), UsageError);
  nlohmann::json foreign = j;
  foreign["ranks"][0]["host"] = "nowhere";
  EXPECT_THROW(topologyFromJson(foreign), UsageError);
}

TEST(Topology, TwoMachinesWithOneNameAreRefused) {
  HostTopology small = host("same");
  small.cores = 4;
  std::vector<Discovery> d{{host("same"), {}}, {small, {}}};
  try {
    assembleTopology(d);
    FAIL() << "accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("both report host name 'same'"), std::string::npos);
  }
}

TEST(Topology, HostNamesSharingOneKernelAreNamedOneMachine) {
  // n1..n3 report one boot_id (network namespaces of one machine); m has its own, and x has
  // none (an older report): only n1..n3 are grouped, and the summary says so.
  std::vector<Discovery> d;
  for (const char* n : {"n1", "m", "n2", "x", "n3"}) {
    HostTopology h = host(n);
    h.bootId = n[0] == 'n' ? "3f2a" : n[0] == 'm' ? "77c0" : "";
    d.push_back({h, {}});
  }
  const Topology t = assembleTopology(d);
  EXPECT_EQ(hostsOnOneMachine(t), (std::vector<std::vector<std::string>>{{"n1", "n2", "n3"}}));
  const std::string note = "# note: hosts n1, n2, n3 are one machine (one kernel boot_id)";
  EXPECT_EQ(oneMachineNote(t).rfind(note, 0), 0u) << oneMachineNote(t);
  // The boot_id survives a report; a report without it reads as unknown, not as one machine.
  const Topology back = topologyFromJson(toJson(t));
  EXPECT_EQ(hostsOnOneMachine(back), hostsOnOneMachine(t));
  nlohmann::json old = toJson(t);
  for (auto& h : old["hosts"]) h.erase("boot_id");
  EXPECT_TRUE(hostsOnOneMachine(topologyFromJson(old)).empty());
  EXPECT_TRUE(oneMachineNote(twoHosts()).empty());
}

TEST(Topology, SummaryNamesHostsDevicesPlacementAndMatrix) {
  const std::string s = formatTopology(twoHosts());
  for (const char* want :
       {"6 rank(s) on 2 host(s); widest link level: network", "host a: 2 package(s)",
        "nic ib0 (infiniband, 200000 Mbit/s, pci 0000:3b:00.0)", "nic veth0 (ethernet, virtual)",
        "gpu 0000:17:00.0 (nvidia)", "     3: a - - 0-15", "     0  S  U  N  N  X  X"})
    EXPECT_NE(s.find(want), std::string::npos) << want << "\n" << s;
  EXPECT_NE(formatTopology(twoHosts(), 4).find("rank pairs per level: numa 2 node 5 network 8"),
            std::string::npos);
}

TEST(Topology, GpuLinksFollowNvlinkThenTheDeepestCommonPciBridge) {
  const std::vector<Gpu> g = pcieServer();
  EXPECT_EQ(gpuLink(g[0], g[1]), "pcie_switch");
  EXPECT_EQ(gpuLink(g[0], g[2]), "host_bridge");
  EXPECT_EQ(gpuLink(g[0], g[3]), "package");
  EXPECT_EQ(gpuLink(g[3], g[4]), "system");
  EXPECT_EQ(gpuLink(g[0], Gpu{}), "unknown");
  // NVLink between two GPUs (both sides list each other), or both on NVSwitches; one side alone
  // listing the other is not a link.
  Gpu a = gpu("0000:18:00.0", {"host:0000:16"}, 0, std::vector<std::string>{"0000:86:00.0"});
  Gpu b = gpu("0000:86:00.0", {"host:0000:85"}, 1, std::vector<std::string>{"0000:18:00.0"});
  EXPECT_EQ(gpuLink(a, b), "nvlink");
  b.nvlinkPeers.clear();
  EXPECT_EQ(gpuLink(a, b), "system");
  Gpu s1 = gpu("0000:18:00.0", {"host:0000:16"}, 0, std::vector<std::string>{"nvswitch"});
  Gpu s2 = gpu("0000:86:00.0", {"host:0000:85"}, 1, std::vector<std::string>{"nvswitch"});
  EXPECT_EQ(gpuLink(s1, s2), "nvlink");
  // NVML's bus ids (8-digit domain, capitals) compare in hwloc's form.
  EXPECT_EQ(normalizeBusId("00000000:1A:00.0"), "0000:1a:00.0");
  EXPECT_EQ(normalizeBusId("nvswitch"), "nvswitch");
}

TEST(Topology, GpuPathsSurviveJsonAndTheSummaryPrintsTheGpuMatrix) {
  std::vector<Discovery> d{{host("g"), {0, 0, "0-7"}}};
  d[0].host.gpus = pcieServer();
  d[0].host.gpus[0].nvlinkKnown = true;
  d[0].host.gpus[0].nvlinkPeers = {"0000:19:00.0"};
  const Topology t = assembleTopology(d);
  EXPECT_EQ(topologyFromJson(toJson(t)).hosts, t.hosts);
  const std::string s = formatTopology(t);
  for (const char* want :
       {"gpu 0000:18:00.0 (nvidia, package 0, 1 NVLink peer(s))", "gpu links (NV nvlink",
        "     0    X  PIX  PHB NODE  SYS", "     4  SYS  SYS  SYS  SYS    X"})
    EXPECT_NE(s.find(want), std::string::npos) << want << "\n" << s;
}

TEST(Pairs, OrderCoversEveryPairOnce) {
  for (int p : {2, 3, 4, 7, 8, 16}) {
    const auto order = pairOrder(p);
    std::set<RankPair> seen(order.begin(), order.end());
    EXPECT_EQ(order.size(), static_cast<size_t>(p * (p - 1) / 2)) << p;
    EXPECT_EQ(seen.size(), order.size()) << p;
    for (const auto& [a, b] : order) EXPECT_LT(a, b);
  }
  const auto sample = samplePairs(16, 10, 7);
  EXPECT_EQ(sample.size(), 10u);
  EXPECT_EQ(sample, samplePairs(16, 10, 7));  // the same on every rank
  EXPECT_NE(sample, samplePairs(16, 10, 8));
}

TEST(Pairs, RoundsKeepEveryHostInOnePairAndStayLinearInRanks) {
  // 4 hosts x 2 ranks: a host takes part in 2*6 + 1 = 13 pairs, so 13 rounds at least.
  std::vector<int> hostOf{0, 0, 1, 1, 2, 2, 3, 3};
  const auto rounds = scheduleRounds(pairOrder(8), hostOf);
  size_t pairs = 0;
  for (const auto& round : rounds) {
    std::set<int> hosts;
    for (const auto& [a, b] : round) {
      EXPECT_TRUE(hosts.insert(hostOf[a]).second);
      if (hostOf[b] != hostOf[a]) {
        EXPECT_TRUE(hosts.insert(hostOf[b]).second);
      }
    }
    pairs += round.size();
  }
  EXPECT_EQ(pairs, 28u);
  EXPECT_GE(rounds.size(), 13u);
  EXPECT_LE(rounds.size(), 16u);
  // One rank per host: about p rounds, not p^2/2.
  std::vector<int> own(32);
  for (int r = 0; r < 32; ++r) own[r] = r;
  EXPECT_LE(scheduleRounds(pairOrder(32), own).size(), 40u);
  // 1024 ranks, 8 per host: half a million pairs scheduled at once (seconds at most).
  std::vector<int> big(1024);
  for (int r = 0; r < 1024; ++r) big[r] = r / 8;
  const auto many = scheduleRounds(pairOrder(1024), big);
  size_t total = 0;
  for (const auto& round : many) total += round.size();
  EXPECT_EQ(total, 1024u * 1023 / 2);
  EXPECT_LE(many.size(), 8u * 1024 * 2);  // O(k·p), not O(p^2)
}

}  // namespace
}  // namespace hockney
