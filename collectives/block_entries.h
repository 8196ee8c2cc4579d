#pragma once
// Registry entries for the block patterns (reduce-scatter, all-gather, uniform all-to-all),
// whose algorithms take a BlockShape: the call's vector is p blocks of count/p elements.
#include <string_view>

#include "collectives/core/block.h"
#include "collectives/registry.h"

namespace hockney {

inline BlockShape blockShapeOf(const CallShape& s) {
  return BlockShape{s.ranks, s.ranks > 0 ? s.count / static_cast<size_t>(s.ranks) : 0, s.type,
                    s.op};
}

// The inverse: the registry's view of a call on blocks of `s`.
inline CallShape blockCall(const BlockShape& s) {
  CallShape c;
  c.ranks = s.p;
  c.count = s.block * static_cast<size_t>(s.p);
  c.type = s.type;
  c.op = s.op;
  return c;
}

using BlockRun = void (*)(Transport&, const BlockShape&, const void* input, void* output,
                          void* scratch);
using BlockCost = Cost (*)(const BlockShape&);
using BlockScratch = size_t (*)(const BlockShape&);

template <BlockRun Run, BlockCost CostOf, BlockScratch ScratchOf>
constexpr Algorithm blockEntry(std::string_view pattern, std::string_view name,
                               std::string_view summary) {
  return Algorithm{
      pattern,
      name,
      summary,
      [](Transport& t, const CallShape& s, const CallBuffers& b) {
        Run(t, blockShapeOf(s), b.input, b.output, b.scratch);
      },
      [](const CallShape& s) { return CostOf(blockShapeOf(s)); },
      [](const CallShape& s, int) { return ScratchOf(blockShapeOf(s)); },
  };
}

// One block (count/p elements) and the whole vector, for the patterns' buffer sizes.
inline size_t oneBlock(const CallShape& s, int) {
  return blockShapeOf(s).blockBytes();
}
inline size_t allBlocks(const CallShape& s, int) {
  return blockShapeOf(s).totalBytes();
}

}  // namespace hockney
