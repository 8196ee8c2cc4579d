#pragma once
// The α-β-γ (Hockney) coefficients of an algorithm's critical path: time ≈ alphaCount·α +
// betaBytes·β + gammaBytes·γ. The counting transport measures the same three numbers from a
// real run; tests keep each algorithm's cost() and its run in step.
#include <fmt/format.h>

namespace hockney {

struct Cost {
  double alphaCount = 0;  // sequential message rounds
  double betaBytes = 0;   // bytes transferred on the critical path
  double gammaBytes = 0;  // bytes reduced on the critical path
  bool operator==(const Cost&) const = default;
  Cost& operator+=(const Cost& o) {
    alphaCount += o.alphaCount;
    betaBytes += o.betaBytes;
    gammaBytes += o.gammaBytes;
    return *this;
  }
};

inline Cost operator+(Cost a, const Cost& b) {
  return a += b;
}

// Componentwise maximum: the later of two clocks in each of α, β and γ.
inline Cost maxCost(const Cost& a, const Cost& b) {
  return Cost{a.alphaCount > b.alphaCount ? a.alphaCount : b.alphaCount,
              a.betaBytes > b.betaBytes ? a.betaBytes : b.betaBytes,
              a.gammaBytes > b.gammaBytes ? a.gammaBytes : b.gammaBytes};
}

// A hierarchical algorithm's cost split by the level its messages cross: rounds and bytes within
// a node, and rounds and bytes between nodes (reductions are local work: γ stays in `node`).
// Priced as node·(α, β, γ of the node level) + network·(α, β of the network level).
struct LevelCost {
  Cost node;
  Cost network;
  Cost total() const { return node + network; }
  bool operator==(const LevelCost&) const = default;
};

inline LevelCost maxCost(const LevelCost& a, const LevelCost& b) {
  return LevelCost{maxCost(a.node, b.node), maxCost(a.network, b.network)};
}

// What a step costs at each level, for the priced clock (collectives/transport/counting.h): seconds
// per round (α), per byte sent (β) and per byte reduced (γ). Reductions are local work: they cost
// the node's γ.
struct LevelPrice {
  double alpha = 0, beta = 0, gamma = 0;
};
struct LevelPrices {
  LevelPrice node, network;
  // One link per host to the network, shared: a step's network bytes are those of every rank of
  // the host crossing in the same step (by step index), in the busier direction. Without it each
  // rank's messages have the link to themselves (what the two-level clock counts).
  bool sharedHostLink = false;
};

}  // namespace hockney

template <>
struct fmt::formatter<hockney::Cost> : fmt::formatter<double> {
  auto format(const hockney::Cost& c, format_context& ctx) const {
    return fmt::format_to(ctx.out(), "{{alpha {}, beta {} B, gamma {} B}}", c.alphaCount,
                          c.betaBytes, c.gammaBytes);
  }
};
