// All-reduce: every rank's closed-form vector; every rank checks the reduction of all.
#include "microbench/cases.h"
#include "microbench/validation.h"

namespace hockney {

const PatternHarness& allreduceHarness() {
  static const PatternHarness kHarness{
      .pattern = "allreduce", .describe = [](BenchCase& c) {
        c.init = [](void* in, const CaseShape& s, const void*, int rank) {
          fillInput(in, s.count, s.type, s.op, rank);
        };
        c.verify = [](const void* out, const CaseShape& s, const void*, int) {
          return checkReduced(out, s.count, s.type, s.op, s.ranks);
        };
      }};
  return kHarness;
}

}  // namespace hockney
