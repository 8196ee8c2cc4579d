#pragma once
// All-reduce: the options every algorithm takes. Each algorithm lives in its own file (ring.cc,
// recursive_doubling.cc, ...) with its steps and cost stated at the top; entries.cc lists them for
// the registry under the names used on the command line, in JSON and in tables.
#include <cstddef>

#include "collectives/core/cost.h"
#include "collectives/core/datatype.h"
#include "collectives/registry.h"
#include "collectives/transport/transport.h"

namespace hockney {

// What cost and scratch depend on.
struct AllreduceShape {
  size_t count = 0;
  DataType type = DataType::kFloat32;
  ReduceOp op = ReduceOp::kSum;
  size_t chunkBytes = kDefaultChunkBytes;  // pipelining segment (double_binary_tree)
};

// Out of place: input is left untouched, output receives the result on every rank. scratch
// holds at least the algorithm's scratch(p, shape) bytes, allocated by the caller once.
struct AllreduceArgs {
  AllreduceShape shape;
  const void* input = nullptr;
  void* output = nullptr;
  void* scratch = nullptr;
};

// The registry's view of an all-reduce of `shape` on p ranks (the inverse of entries.cc's).
inline CallShape allreduceCall(int p, const AllreduceShape& shape) {
  CallShape c;
  c.ranks = p;
  c.count = shape.count;
  c.type = shape.type;
  c.op = shape.op;
  c.chunkBytes = shape.chunkBytes;
  return c;
}

#define HOCKNEY_DECLARE_ALLREDUCE(id)                          \
  void id##Allreduce(Transport& t, const AllreduceArgs& args); \
  Cost id##AllreduceCost(int p, const AllreduceShape& shape);  \
  size_t id##AllreduceScratch(int p, const AllreduceShape& shape);

HOCKNEY_DECLARE_ALLREDUCE(ring)
HOCKNEY_DECLARE_ALLREDUCE(recursiveDoubling)
HOCKNEY_DECLARE_ALLREDUCE(rabenseifner)
HOCKNEY_DECLARE_ALLREDUCE(tree)
HOCKNEY_DECLARE_ALLREDUCE(doubleBinaryTree)

}  // namespace hockney
