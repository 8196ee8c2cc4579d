#pragma once
// Patterns whose vector is p blocks of equal size, one per rank (reduce-scatter, all-gather,
// uniform all-to-all): the shape their algorithms share, and the table entry that names them.
#include <span>
#include <string_view>

#include "collectives/core/cost.h"
#include "collectives/core/datatype.h"
#include "collectives/transport/transport.h"

namespace hockney {

struct BlockShape {
  int p = 1;
  size_t block = 0;  // elements per rank's block
  DataType type = DataType::kFloat32;
  ReduceOp op = ReduceOp::kSum;
  size_t blockBytes() const { return block * elementSize(type); }
  size_t totalBytes() const { return blockBytes() * static_cast<size_t>(p); }
};

struct BlockAlgorithm {
  std::string_view name;
  std::string_view summary;
  void (*run)(Transport&, const BlockShape&, const void* input, void* output, void* scratch);
  Cost (*cost)(const BlockShape&);
  size_t (*scratch)(const BlockShape&);
};

// The tables (own algorithms only; vendor cases live with the harness).
std::span<const BlockAlgorithm> reduceScatterAlgorithms();  // input p blocks, output 1
std::span<const BlockAlgorithm> allgatherAlgorithms();      // input 1 block, output p
std::span<const BlockAlgorithm> alltoallAlgorithms();       // input p blocks, output p

}  // namespace hockney
