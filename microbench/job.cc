#include "microbench/job.h"

#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "collectives/core/error.h"
#include "collectives/transport/mpi.h"
#include "hockney_git_commit.h"
#include "microbench/allocator.h"
#include "microbench/control.h"
#include "topology/nvlink.h"

#ifndef HOCKNEY_VERSION
#define HOCKNEY_VERSION "unknown"
#endif

namespace hockney {

std::string agree(Transport& t, std::string problem) {
  uint64_t length = problem.size();
  broadcastFromZero(t, &length, sizeof length);
  problem.resize(length);
  broadcastFromZero(t, problem.data(), length);
  return problem;
}

bool stopOnProblem(Transport& t, const std::string& problemOnRankZero) {
  const std::string problem = agree(t, problemOnRankZero);
  if (problem.empty()) return false;
  if (t.rank() == 0) std::fprintf(stderr, "hockney: error: %s\n", problem.c_str());
  return true;
}

std::string firstProblem(Transport& t, const std::string& mine) {
  std::string first;
  for (const std::string& p : gatherToZero(t, mine))
    if (first.empty()) first = p;
  return agree(t, first);
}

namespace {

// The environment that changes what NCCL and CUDA do.
nlohmann::json deviceEnvironment() {
  nlohmann::json env = nlohmann::json::object();
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string kv = *e;
    const size_t eq = kv.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = kv.substr(0, eq);
    if (key.rfind("NCCL_", 0) == 0 || key == "CUDA_VISIBLE_DEVICES" ||
        key == "CUDA_DEVICE_MAX_CONNECTIONS")
      env[key] = kv.substr(eq + 1);
  }
  return env;
}

}  // namespace

nlohmann::json deviceProvenance(Transport& t, Device* device, const Topology& topology) {
  nlohmann::json mine = {{"rank", t.rank()}, {"environment", deviceEnvironment()}};
  if (device)
    for (const auto& [key, value] : device->facts()) mine[key] = value;
  const std::vector<std::string> all = gatherToZero(t, mine.dump());
  if (t.rank() != 0) return nullptr;
  nlohmann::json perRank = nlohmann::json::array();
  nlohmann::json out = {{"backend", "nccl"}};
  for (const std::string& text : all) {
    nlohmann::json r = nlohmann::json::parse(text);
    if (r["rank"] == 0) {
      out["environment"] = r["environment"];
      for (const char* key : {"nccl", "cuda_runtime", "cuda_driver"})
        if (r.contains(key)) out[key] = r[key];
    }
    if (r["environment"] == out["environment"]) r.erase("environment");
    perRank.push_back(std::move(r));
  }
  out["ranks"] = perRank;
  // Rank pairs on one host by the link between their GPUs (the hosts' GPUs, by bus id).
  auto gpuOf = [&](const nlohmann::json& r) -> const Gpu* {
    const int rank = r["rank"].get<int>();
    if (!r.contains("pci_bus_id") || rank >= topology.size()) return nullptr;
    const std::string bus = normalizeBusId(r["pci_bus_id"].get<std::string>());
    for (const Gpu& g : topology.hostOf(rank).gpus)
      if (g.pciBusId == bus) return &g;
    return nullptr;
  };
  std::map<std::string, int> links;
  for (size_t a = 0; a < perRank.size(); ++a)
    for (size_t b = a + 1; b < perRank.size(); ++b) {
      const int ra = perRank[a]["rank"].get<int>(), rb = perRank[b]["rank"].get<int>();
      if (ra >= topology.size() || rb >= topology.size() ||
          topology.ranks[ra].host != topology.ranks[rb].host)
        continue;
      const Gpu* ga = gpuOf(perRank[a]);
      const Gpu* gb = gpuOf(perRank[b]);
      ++links[ga && gb ? gpuLink(*ga, *gb) : "unknown"];
    }
  out["gpu_link_pairs"] = links;
  return out;
}

std::unique_ptr<Transport> openBackend(const Backend& backend, Transport* group,
                                       const std::vector<int>& members, int rank,
                                       const Topology& topology, std::string& problem) {
  if (backend.open == nullptr || group == nullptr) return nullptr;
  int localRank = 0, localRanks = 0;
  for (int m : members)
    if (topology.ranks[m].host == topology.ranks[rank].host) {
      if (m < rank) ++localRank;
      ++localRanks;
    }
  try {
    return backend.open(*group, localRank, localRanks);
  } catch (const UsageError& e) {
    problem = e.what();
  }
  return nullptr;
}

nlohmann::json applyDeviceLimits(Transport& world, Transport* measured, SweepConfig& sweep,
                                 const Topology& topology) {
  Device* device = measured ? measured->device() : nullptr;
  double onDevice = device ? 1 : 0;
  maxOverRanks(world, {&onDevice, 1});
  if (onDevice == 0) return nullptr;
  // A point must fit the GPU with the least free memory.
  double leastFree = device ? -static_cast<double>(device->freeBytes()) : -1e300;
  maxOverRanks(world, {&leastFree, 1});
  sweep.memoryPerRank = static_cast<size_t>(-leastFree);
  sweep.memoryWhere = "the GPU with the least free memory has";
  return deviceProvenance(world, device, topology);
}

nlohmann::json slurmJson() {
  if (std::getenv("SLURM_JOB_ID") == nullptr) return nullptr;
  nlohmann::json j = nlohmann::json::object();
  for (const char* key :
       {"SLURM_JOB_ID", "SLURM_JOB_NAME", "SLURM_JOB_NODELIST", "SLURM_NNODES", "SLURM_NTASKS",
        "SLURM_JOB_PARTITION", "SLURM_CLUSTER_NAME", "SLURM_STEP_ID"})
    if (const char* v = std::getenv(key)) j[key] = v;
  return j;
}

Topology gatherTopology(Transport& t) {
  const std::vector<std::string> records = gatherToZero(t, toJson(discover()).dump());
  std::string text;
  if (t.rank() == 0) {
    try {
      std::vector<Discovery> perRank;
      for (const std::string& r : records)
        perRank.push_back(discoveryFromJson(nlohmann::json::parse(r)));
      text = toJson(assembleTopology(perRank)).dump();
    } catch (const std::exception& e) {
      text = std::string("!") + e.what();
    }
  }
  text = agree(t, text);
  if (!text.empty() && text[0] == '!') throw UsageError(text.substr(1));
  Topology topology = topologyFromJson(nlohmann::json::parse(text));
  // Every job says so where its "hosts" are one machine, before it measures anything.
  if (const std::string note = oneMachineNote(topology); t.rank() == 0 && !note.empty()) {
    std::printf("%s", note.c_str());
    std::fflush(stdout);
  }
  return topology;
}

int runTopo(const std::string& out, const std::string& commandLine) {
  MpiTransport t(MPI_COMM_WORLD);
  const Topology topology = gatherTopology(t);
  if (t.rank() == 0) {
    std::printf("%s", formatTopology(topology).c_str());
    if (!out.empty()) {
      const nlohmann::json report{
          {"schema_version", 1},
          {"kind", "topology"},
          {"tool",
           {{"name", "hockney"}, {"version", HOCKNEY_VERSION}, {"git_commit", HOCKNEY_GIT_COMMIT}}},
          {"command_line", commandLine},
          {"created_at", utcNow()},
          {"mpi", {{"library_version", mpiLibraryVersion()}}},
          {"slurm", slurmJson()},
          {"topology", toJson(topology)}};
      writeFileAtomically(out, reportText(report));
      std::printf("# wrote %s\n", out.c_str());
    }
  }
  return kExitOk;
}

void decideHostLimits(Transport& t, SweepConfig& sweep, const Topology& topology) {
  const HostTopology& host = topology.hostOf(0);
  if (host.lastLevelCacheBytes > 0) sweep.rotateBytes = 2 * host.lastLevelCacheBytes;
  uint64_t decided[2] = {sweep.rotateBytes, 0};
  if (t.rank() == 0)
    decided[1] =
        availableMemoryBytes() / static_cast<uint64_t>(std::max(1, topology.mostRanksPerHost()));
  broadcastFromZero(t, decided, sizeof decided);
  sweep.rotateBytes = decided[0];
  sweep.memoryPerRank = decided[1];
}

Provenance finishedProvenance(std::string startedAt, std::string commandLine,
                              const Topology& topology) {
  Provenance prov;
  prov.startedAt = std::move(startedAt);
  prov.toolVersion = HOCKNEY_VERSION;
  prov.gitCommit = HOCKNEY_GIT_COMMIT;
  prov.commandLine = std::move(commandLine);
  prov.finishedAt = utcNow();
  prov.mpiLibrary = mpiLibraryVersion();
  prov.ranks = topology.size();
  for (int r = 0; r < topology.size(); ++r) prov.hostOfRank.push_back(topology.hostOf(r).hostname);
  prov.slurm = slurmJson();
  prov.topology = toJson(topology);
  prov.allocator = allocatorSettings().toJson();
  return prov;
}

}  // namespace hockney
