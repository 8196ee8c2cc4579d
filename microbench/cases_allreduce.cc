// All-reduce cases: every algorithm of collectives/allreduce and MPI_Allreduce.
#include "collectives/allreduce/allreduce.h"
#include "microbench/cases.h"
#include "microbench/validation.h"

namespace hockney {
namespace {

double allreduceBusFactor(int p) {
  return p > 1 ? 2.0 * (p - 1) / p : 0.0;
}

AllreduceShape allreduceShape(const CaseShape& s) {
  return AllreduceShape{s.count, s.type, s.op, s.chunkBytes ? s.chunkBytes : kDefaultChunkBytes};
}

BenchCase allreduceBase(std::string algorithm, std::string summary) {
  BenchCase c = baseCase("allreduce", std::move(algorithm), std::move(summary), allreduceBusFactor);
  c.init = [](void* in, const CaseShape& s, const void*, int rank) {
    fillInput(in, s.count, s.type, s.op, rank);
  };
  c.verify = [](const void* out, const CaseShape& s, const void*, int) {
    return checkReduced(out, s.count, s.type, s.op, s.ranks);
  };
  return c;
}

}  // namespace

std::vector<BenchCase> allreduceCases() {
  std::vector<BenchCase> cases;
  for (const AllreduceAlgorithm& a : allreduceAlgorithms()) {
    BenchCase c = allreduceBase(std::string(a.name), std::string(a.summary));
    const AllreduceAlgorithm* algo = &a;
    c.scratchBytes = [algo](const CaseShape& s, const void*, int) {
      return algo->scratch(s.ranks, allreduceShape(s));
    };
    c.run = [algo](Transport& t, const CaseShape& s, const CaseBuffers& b) {
      algo->run(t, AllreduceArgs{allreduceShape(s), b.input, b.output, b.scratch});
    };
    c.cost = [algo](const CaseShape& s, const void*) {
      return std::optional<Cost>(algo->cost(s.ranks, allreduceShape(s)));
    };
    cases.push_back(std::move(c));
  }
  BenchCase vendor = allreduceBase("vendor", "MPI_Allreduce of the MPI library");
  vendor.vendor = true;
  vendor.run = vendorAllreduce;
  cases.push_back(std::move(vendor));
  return cases;
}

}  // namespace hockney
