// Reduce-scatter: p equal blocks (`bytes` is the whole input vector, rounded down to a multiple
// of p elements, as nccl-tests does); each rank checks its block of the reduction.
#include "collectives/block_entries.h"
#include "microbench/block_data.h"
#include "microbench/cases.h"
#include "microbench/validation.h"

namespace hockney {

const PatternHarness& reduceScatterHarness() {
  static const PatternHarness kHarness{
      .pattern = "reduce_scatter", .describe = [](BenchCase& c) {
        c.init = [](void* in, const CaseShape& s, const void*, int rank) {
          const BlockShape b = blockShapeOf(s);
          fillInput(in, b.block * static_cast<size_t>(b.p), s.type, s.op, rank);
        };
        c.verify = [](const void* out, const CaseShape& s, const void*, int rank) {
          return checkReduceScatter(out, blockShapeOf(s), rank);
        };
      }};
  return kHarness;
}

}  // namespace hockney
