// Broadcast: the root's closed-form vector; every rank checks it arrived.
#include "microbench/block_data.h"
#include "microbench/cases.h"
#include "microbench/validation.h"

namespace hockney {

const PatternHarness& bcastHarness() {
  static const PatternHarness kHarness{
      .pattern = "bcast", .describe = [](BenchCase& c) {
        c.init = [](void* in, const CaseShape& s, const void*, int rank) {
          fillInput(in, s.count, s.type, ReduceOp::kSum, rank);
        };
        c.verify = [](const void* out, const CaseShape& s, const void*, int) {
          return checkInputSlice(out, s.count, s.type, s.opts->root, 0, "broadcast data");
        };
        c.details = [](const CaseShape& s, const void*) {
          return nlohmann::json{{"root", s.opts->root}};
        };
      }};
  return kHarness;
}

}  // namespace hockney
