#include "microbench/cases.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "collectives/allreduce/allreduce.h"
#include "collectives/core/error.h"
#include "microbench/validation.h"

namespace hockney {

BenchCase vendorAllreduceCase();  // vendor_mpi.cc

namespace {

double allreduceBusFactor(int p) {
  return p > 1 ? 2.0 * (p - 1) / p : 0.0;
}

AllreduceShape allreduceShape(const CaseShape& s) {
  return AllreduceShape{s.count, s.type, s.op, s.chunkBytes ? s.chunkBytes : kDefaultChunkBytes};
}

// What every all-reduce case shares: full vectors in and out, the closed-form data.
BenchCase allreduceBase(std::string algorithm, std::string summary) {
  BenchCase c;
  c.pattern = "allreduce";
  c.algorithm = std::move(algorithm);
  c.summary = std::move(summary);
  c.busFactor = allreduceBusFactor;
  c.inputBytes = [](const CaseShape& s) { return s.count * elementSize(s.type); };
  c.outputBytes = c.inputBytes;
  c.scratchBytes = [](const CaseShape&) { return size_t{0}; };
  c.init = [](void* in, const CaseShape& s, int rank) {
    fillInput(in, s.count, s.type, s.op, rank);
  };
  c.verify = [](const void* out, const CaseShape& s, int) {
    return checkReduced(out, s.count, s.type, s.op, s.ranks);
  };
  c.cost = [](const CaseShape&) { return std::optional<Cost>(); };
  return c;
}

std::vector<BenchCase> allreduceCases() {
  std::vector<BenchCase> cases;
  for (const AllreduceAlgorithm& a : allreduceAlgorithms()) {
    BenchCase c = allreduceBase(std::string(a.name), std::string(a.summary));
    const AllreduceAlgorithm* algo = &a;
    c.scratchBytes = [algo](const CaseShape& s) {
      return algo->scratch(s.ranks, allreduceShape(s));
    };
    c.run = [algo](Transport& t, const CaseShape& s, const CaseBuffers& b) {
      algo->run(t, AllreduceArgs{allreduceShape(s), b.input, b.output, b.scratch});
    };
    c.cost = [algo](const CaseShape& s) {
      return std::optional<Cost>(algo->cost(s.ranks, allreduceShape(s)));
    };
    cases.push_back(std::move(c));
  }
  BenchCase vendor = allreduceBase("vendor", "MPI_Allreduce of the MPI library");
  BenchCase mpi = vendorAllreduceCase();
  vendor.vendor = true;
  vendor.run = mpi.run;
  cases.push_back(std::move(vendor));
  return cases;
}

}  // namespace

std::vector<std::string> patternNames() {
  return {"allreduce"};
}

std::vector<BenchCase> casesFor(std::string_view pattern) {
  if (pattern == "allreduce") return allreduceCases();
  throw UsageError(fmt::format("unknown pattern '{}' (available: {})", pattern,
                               fmt::join(patternNames(), ", ")));
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
