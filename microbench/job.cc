#include "microbench/job.h"

#include <cstdio>
#include <cstdlib>
#include <map>

#include "collectives/transport/mpi.h"
#include "hockney_git_commit.h"
#include "microbench/control.h"

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

nlohmann::json slurmJson() {
  if (std::getenv("SLURM_JOB_ID") == nullptr) return nullptr;
  nlohmann::json j = nlohmann::json::object();
  for (const char* key :
       {"SLURM_JOB_ID", "SLURM_JOB_NAME", "SLURM_JOB_NODELIST", "SLURM_NNODES", "SLURM_NTASKS",
        "SLURM_JOB_PARTITION", "SLURM_CLUSTER_NAME", "SLURM_STEP_ID"})
    if (const char* v = std::getenv(key)) j[key] = v;
  return j;
}

void decideHostLimits(Transport& t, SweepConfig& sweep, const std::vector<std::string>& hostOfRank,
                      const HostTopology& host) {
  if (host.lastLevelCacheBytes > 0) sweep.rotateBytes = 2 * host.lastLevelCacheBytes;
  uint64_t decided[2] = {sweep.rotateBytes, 0};
  if (t.rank() == 0) {
    std::map<std::string, int> perHost;
    int most = 1;
    for (const auto& h : hostOfRank) most = std::max(most, ++perHost[h]);
    decided[1] = availableMemoryBytes() / static_cast<uint64_t>(most);
  }
  broadcastFromZero(t, decided, sizeof decided);
  sweep.rotateBytes = decided[0];
  sweep.memoryPerRank = decided[1];
}

Provenance finishedProvenance(std::string startedAt, std::string commandLine, int ranks,
                              std::vector<std::string> hostOfRank, const HostTopology& host) {
  Provenance prov;
  prov.startedAt = std::move(startedAt);
  prov.toolVersion = HOCKNEY_VERSION;
  prov.gitCommit = HOCKNEY_GIT_COMMIT;
  prov.commandLine = std::move(commandLine);
  prov.finishedAt = utcNow();
  prov.mpiLibrary = mpiLibraryVersion();
  prov.ranks = ranks;
  prov.hostOfRank = std::move(hostOfRank);
  prov.slurm = slurmJson();
  prov.topology = toJson(host);
  return prov;
}

}  // namespace hockney
