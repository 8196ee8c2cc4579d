// The broadcast algorithms, as the registry lists them. count = the whole vector; the root's
// input arrives in every rank's output.
#include <array>

#include "collectives/bcast/binomial.h"
#include "collectives/registry.h"

namespace hockney {
namespace {

constexpr Algorithm kBinomial{
    "bcast",
    "binomial",
    "binomial tree from the root, ceil(lg p) rounds",
    [](Transport& t, const CallShape& s, const CallBuffers& b) {
      const int root = s.options().root;
      if (t.rank() == root) t.copy(b.output, b.input, s.bytes());
      binomialBcast(t, b.output, s.bytes(), root);
    },
    [](const CallShape& s) { return binomialBcastCost(s.ranks, s.bytes()); },
    noScratch,
};

constexpr std::array kAlgorithms{kBinomial};

constexpr std::array kVendors{
    VendorCall{"mpi", "MPI_Bcast", "MPI_Bcast of the MPI library"},
    VendorCall{"nccl", "ncclBroadcast", "ncclBroadcast of the NCCL library"},
};

}  // namespace

const Pattern& bcastPattern() {
  static const Pattern kPattern{
      "bcast",     "the root's vector reaches every rank",
      wholeVector, wholeVector,
      checkRoot,   {},
      kAlgorithms, {.reference = "binomial", .vendors = kVendors, .options = kRootOption}};
  return kPattern;
}

}  // namespace hockney
