// Parameter server: workers push closed-form gradients and check the sum they pull back; a
// dedicated server keeps only its shard. MPI has no collective for it.
#include "collectives/param_server/param_server.h"
#include "microbench/cases.h"
#include "microbench/validation.h"

namespace hockney {
namespace {

// `single` is the one-server algorithm; the others shard over --servers.
PsLayout layoutFor(const CaseShape& s, bool single) {
  return psLayout(s.ranks, single ? 1 : s.opts->servers, s.opts->placement == "colocated");
}

}  // namespace

const PatternHarness& psHarness() {
  static const PatternHarness kHarness{
      .pattern = "ps", .describe = [](BenchCase& c) {
        const bool single = c.algorithm == "single";
        c.init = [single](void* in, const CaseShape& s, const void*, int rank) {
          if (layoutFor(s, single).isWorker(rank)) fillInput(in, s.count, s.type, s.op, rank);
        };
        c.verify = [single](const void* out, const CaseShape& s, const void*,
                            int rank) -> std::optional<std::string> {
          const PsLayout l = layoutFor(s, single);
          if (!l.isWorker(rank)) return std::nullopt;  // a dedicated server keeps its shard only
          return checkReduced(out, s.count, s.type, s.op, l.workers());
        };
        c.details = [single](const CaseShape& s, const void*) {
          const PsLayout l = layoutFor(s, single);
          return nlohmann::json{
              {"servers", l.servers}, {"workers", l.workers()}, {"placement", s.opts->placement}};
        };
      }};
  return kHarness;
}

}  // namespace hockney
