// Reduce: every rank's closed-form vector; the root checks the reduction (only its result is
// defined).
#include "microbench/cases.h"
#include "microbench/validation.h"

namespace hockney {

const PatternHarness& reduceHarness() {
  static const PatternHarness kHarness{
      .pattern = "reduce", .describe = [](BenchCase& c) {
        c.init = [](void* in, const CaseShape& s, const void*, int rank) {
          fillInput(in, s.count, s.type, s.op, rank);
        };
        c.verify = [](const void* out, const CaseShape& s, const void*,
                      int rank) -> std::optional<std::string> {
          if (rank != s.opts->root) return std::nullopt;
          return checkReduced(out, s.count, s.type, s.op, s.ranks);
        };
        c.details = [](const CaseShape& s, const void*) {
          return nlohmann::json{{"root", s.opts->root}};
        };
      }};
  return kHarness;
}

}  // namespace hockney
