// All-reduce cases: every algorithm the registry lists for allreduce, and MPI_Allreduce.
#include "microbench/cases.h"
#include "microbench/validation.h"

namespace hockney {
namespace {

double allreduceBusFactor(int p) {
  return p > 1 ? 2.0 * (p - 1) / p : 0.0;
}

}  // namespace

std::vector<BenchCase> allreduceCases() {
  BenchCase base = baseCase("allreduce", allreduceBusFactor);
  base.init = [](void* in, const CaseShape& s, const void*, int rank) {
    fillInput(in, s.count, s.type, s.op, rank);
  };
  base.verify = [](const void* out, const CaseShape& s, const void*, int) {
    return checkReduced(out, s.count, s.type, s.op, s.ranks);
  };
  return ownAndVendorCases("allreduce", base, "MPI_Allreduce of the MPI library", vendorAllreduce);
}

}  // namespace hockney
