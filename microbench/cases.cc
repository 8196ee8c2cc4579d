#include "microbench/cases.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "collectives/core/error.h"
#include "microbench/moe_routing.h"

namespace hockney {

BenchCase baseCase(std::string_view pattern, double (*busFactor)(int)) {
  BenchCase c;
  c.pattern = std::string(pattern);
  c.entry = &findPattern(pattern);
  c.busFactor = busFactor;
  c.effectiveBytes = [](size_t requested, int, DataType, const PatternOptions&) {
    return requested;
  };
  c.algbwBytes = [](const CaseShape& s, const void*) { return s.bytes; };
  return c;
}

std::vector<BenchCase> ownCases(std::string_view pattern, const BenchCase& base) {
  std::vector<BenchCase> cases;
  for (const Algorithm& a : findPattern(pattern).algorithms) {
    BenchCase c = base;
    c.own = &a;
    c.algorithm = std::string(a.name);
    c.summary = std::string(a.summary);
    cases.push_back(std::move(c));
  }
  return cases;
}

std::vector<BenchCase> ownAndVendorCases(std::string_view pattern, const BenchCase& base,
                                         std::string vendorSummary,
                                         void (*vendorRun)(Transport&, const CaseShape&,
                                                           const CaseBuffers&)) {
  std::vector<BenchCase> cases = ownCases(pattern, base);
  BenchCase vendor = base;
  vendor.own = nullptr;
  vendor.algorithm = "vendor";
  vendor.summary = std::move(vendorSummary);
  vendor.vendorRun = vendorRun;
  cases.push_back(std::move(vendor));
  return cases;
}

void useBackend(std::vector<BenchCase>& cases, std::string_view backend) {
  HOCKNEY_USAGE_CHECK(std::find(kBackends.begin(), kBackends.end(), backend) != kBackends.end(),
                      "--backend must be mpi or nccl, not '{}'", backend);
  if (backend == "mpi") return;
  for (BenchCase& c : cases) {
    if (!c.vendor()) continue;
    VendorCollective v = ncclVendorFor(c.pattern);
    HOCKNEY_USAGE_CHECK(v.run != nullptr, "{}/vendor: NCCL has no collective for {}", c.pattern,
                        c.pattern);
    c.vendorRun = v.run;
    c.summary = std::move(v.summary);
  }
}

size_t BenchCase::inputBytes(const CaseShape& s, const void*, int rank) const {
  return entry->inputBytes(s, rank);
}

size_t BenchCase::outputBytes(const CaseShape& s, const void*, int rank) const {
  return entry->outputBytes(s, rank);
}

size_t BenchCase::scratchBytes(const CaseShape& s, const void*, int rank) const {
  return own ? own->scratch(s, rank) : 0;
}

std::optional<Cost> BenchCase::cost(const CaseShape& s, const void*) const {
  if (!own) return std::nullopt;
  return own->cost(s);
}

void BenchCase::run(Transport& t, const CaseShape& s, const CaseBuffers& b) const {
  if (own)
    own->run(t, s, CallBuffers{b.input, b.output, b.scratch, b.phases});
  else
    vendorRun(t, s, b);
}

double BenchCase::timeScale() const {
  return own ? own->timeScale : 1.0;
}

std::span<const std::string_view> BenchCase::phases() const {
  return entry->phases;
}

std::optional<std::string> BenchCase::unavailable(const PatternOptions& o, int p,
                                                  const std::vector<int>* nodeOfRank) const {
  if (!own || !own->unavailable) return std::nullopt;
  // A probe of the call's kind: routed all-to-all traffic has per-peer sizes.
  static const TrafficMatrix kRouted;
  CallShape probe;
  probe.ranks = p;
  probe.params = &o;
  if (nodeOfRank != nullptr && static_cast<int>(nodeOfRank->size()) == p)
    probe.nodeOfRank = nodeOfRank;
  if (pattern == "alltoall" && o.routing != "uniform") probe.traffic = &kRouted;
  return own->unavailable(probe);
}

std::vector<BenchCase> casesFor(std::string_view pattern) {
  const Pattern& entry = findPattern(pattern);  // throws, naming the known patterns
  if (entry.name == "allreduce") return allreduceCases();
  if (entry.name == "reduce_scatter" || entry.name == "allgather")
    return blockPatternCases(pattern);
  if (entry.name == "bcast" || entry.name == "reduce") return rootedCases(pattern);
  if (entry.name == "alltoall") return alltoallCases();
  if (entry.name == "sendrecv") return sendrecvCases();
  if (entry.name == "ps") return paramServerCases();
  if (entry.name == "pipeline") return pipelineCases();
  HOCKNEY_THROW("pattern '{}' is in the registry but the harness has no cases for it", pattern);
}

void checkPatternOptions(std::string_view pattern, const PatternOptions& o, int p) {
  findPattern(pattern).check(o, p);
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
