#include "microbench/cases.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "collectives/core/error.h"
#include "collectives/param_server/param_server.h"
#include "collectives/pipeline/pipeline.h"
#include "microbench/moe_routing.h"

namespace hockney {

BenchCase baseCase(std::string pattern, std::string algorithm, std::string summary,
                   double (*busFactor)(int)) {
  BenchCase c;
  c.pattern = std::move(pattern);
  c.algorithm = std::move(algorithm);
  c.summary = std::move(summary);
  c.busFactor = busFactor;
  c.effectiveBytes = [](size_t requested, int, DataType, const PatternOptions&) {
    return requested;
  };
  c.inputBytes = [](const CaseShape& s, const void*, int) { return s.bytes; };
  c.outputBytes = c.inputBytes;
  c.scratchBytes = [](const CaseShape&, const void*, int) { return size_t{0}; };
  c.cost = [](const CaseShape&, const void*) { return std::optional<Cost>(); };
  c.algbwBytes = [](const CaseShape& s, const void*) { return s.bytes; };
  return c;
}

std::vector<std::string> patternNames() {
  return {"allreduce", "reduce_scatter", "allgather", "bcast",   "reduce",
          "alltoall",  "sendrecv",       "ps",        "pipeline"};
}

std::vector<BenchCase> casesFor(std::string_view pattern) {
  if (pattern == "allreduce") return allreduceCases();
  if (pattern == "reduce_scatter" || pattern == "allgather") return blockPatternCases(pattern);
  if (pattern == "bcast" || pattern == "reduce") return rootedCases(pattern);
  if (pattern == "alltoall") return alltoallCases();
  if (pattern == "sendrecv") return sendrecvCases();
  if (pattern == "ps") return paramServerCases();
  if (pattern == "pipeline") return pipelineCases();
  throw UsageError(fmt::format("unknown pattern '{}' (available: {})", pattern,
                               fmt::join(patternNames(), ", ")));
}

void checkPatternOptions(std::string_view pattern, const PatternOptions& o, int p) {
  if (pattern == "bcast" || pattern == "reduce")
    HOCKNEY_USAGE_CHECK(o.root >= 0 && o.root < p, "--root {} is not a rank of {}", o.root, p);
  if (pattern == "sendrecv") {
    HOCKNEY_USAGE_CHECK(p >= 2, "sendrecv needs at least 2 ranks, not {}", p);
    HOCKNEY_USAGE_CHECK(
        o.peerA >= 0 && o.peerA < p && o.peerB >= 0 && o.peerB < p && o.peerA != o.peerB,
        "--peers {},{} must be two different ranks of {}", o.peerA, o.peerB, p);
  }
  if (pattern == "ps") {
    HOCKNEY_USAGE_CHECK(o.placement == "dedicated" || o.placement == "colocated",
                        "unknown --ps-placement '{}' (expected dedicated or colocated)",
                        o.placement);
    psLayout(p, o.servers, o.placement == "colocated");
    psLayout(p, 1, o.placement == "colocated");  // single
  }
  if (pattern == "pipeline") {
    HOCKNEY_USAGE_CHECK(o.schedule == "gpipe" || o.schedule == "1f1b",
                        "unknown --schedule '{}' (expected gpipe or 1f1b)", o.schedule);
    checkPipelineLayout(PipelineLayout{o.stages > 0 ? o.stages : p, o.microbatches,
                                       o.schedule == "1f1b", o.computeUs},
                        p);
  }
  if (pattern == "alltoall") checkRoutingOptions(o, p);
}

std::vector<BenchCase> selectCases(std::string_view pattern,
                                   const std::vector<std::string>& names) {
  std::vector<BenchCase> all = casesFor(pattern);
  if (names.empty() || (names.size() == 1 && names[0] == "all")) return all;
  std::vector<BenchCase> chosen;
  for (const std::string& n : names) {
    auto it =
        std::find_if(all.begin(), all.end(), [&](const BenchCase& c) { return c.algorithm == n; });
    if (it == all.end()) {
      std::vector<std::string> known;
      for (const auto& c : all) known.push_back(c.algorithm);
      throw UsageError(fmt::format("unknown {} algorithm '{}' (available: {}, or all)", pattern, n,
                                   fmt::join(known, ", ")));
    }
    if (std::none_of(chosen.begin(), chosen.end(),
                     [&](const BenchCase& c) { return c.algorithm == n; }))
      chosen.push_back(*it);
  }
  return chosen;
}

}  // namespace hockney
