#pragma once
// Patterns whose vector is p blocks of equal size, one per rank (reduce-scatter, all-gather,
// uniform all-to-all): the shape their algorithms share.
#include <cstddef>

#include "collectives/core/datatype.h"

namespace hockney {

struct BlockShape {
  int p = 1;
  size_t block = 0;  // elements per rank's block
  DataType type = DataType::kFloat32;
  ReduceOp op = ReduceOp::kSum;
  size_t blockBytes() const { return block * elementSize(type); }
  size_t totalBytes() const { return blockBytes() * static_cast<size_t>(p); }
};

}  // namespace hockney
