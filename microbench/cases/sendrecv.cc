// Point-to-point: each rank sends its closed-form vector; the receiver checks the peer's. MPI has
// no collective for it (its own algorithms are the plain sends).
#include "collectives/sendrecv/sendrecv.h"
#include "microbench/block_data.h"
#include "microbench/cases.h"
#include "microbench/validation.h"

namespace hockney {
namespace {

// The rank `rank` hears from: its --peers partner (an algorithm between the two peers), else its
// multipair partner; -1: none.
int peerOf(bool betweenPeers, const CaseShape& s, int rank) {
  if (!betweenPeers) return multipairPartner(rank, s.ranks);
  if (rank == s.opts->peerA) return s.opts->peerB;
  if (rank == s.opts->peerB) return s.opts->peerA;
  return -1;
}

}  // namespace

const PatternHarness& sendrecvHarness() {
  static const PatternHarness kHarness{
      .pattern = "sendrecv", .describe = [](BenchCase& c) {
        const bool between = c.own != nullptr && c.own->betweenPeers;
        c.init = [](void* in, const CaseShape& s, const void*, int rank) {
          fillInput(in, s.count, s.type, ReduceOp::kSum, rank);
        };
        c.verify = [between](const void* out, const CaseShape& s, const void*,
                             int rank) -> std::optional<std::string> {
          const int peer = peerOf(between, s, rank);
          if (peer < 0) return std::nullopt;
          return checkInputSlice(out, s.count, s.type, peer, 0, "received message");
        };
        c.details = [between](const CaseShape& s, const void*) {
          if (!between) return nlohmann::json{{"pairs", s.ranks / 2}};
          return nlohmann::json{{"peers", {s.opts->peerA, s.opts->peerB}}};
        };
      }};
  return kHarness;
}

}  // namespace hockney
