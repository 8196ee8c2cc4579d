// All-gather: p equal blocks (`bytes` is the whole output vector, rounded down to a multiple of
// p elements, as nccl-tests does); every rank checks every rank's block.
#include "collectives/block_entries.h"
#include "microbench/block_data.h"
#include "microbench/cases.h"
#include "microbench/validation.h"

namespace hockney {

const PatternHarness& allgatherHarness() {
  static const PatternHarness kHarness{
      .pattern = "allgather", .describe = [](BenchCase& c) {
        c.init = [](void* in, const CaseShape& s, const void*, int rank) {
          fillInput(in, blockShapeOf(s).block, s.type, ReduceOp::kSum, rank);
        };
        c.verify = [](const void* out, const CaseShape& s, const void*, int) {
          return checkAllgather(out, blockShapeOf(s));
        };
      }};
  return kHarness;
}

}  // namespace hockney
