#pragma once
// All-reduce: the options every algorithm takes, and the table of algorithms. Each algorithm
// lives in its own file (ring.cc, recursive_doubling.cc, ...) with its steps and cost stated at
// the top; its name here is the one used on the command line, in JSON and in tables.
#include <cstddef>
#include <span>
#include <string_view>

#include "collectives/core/cost.h"
#include "collectives/core/datatype.h"
#include "collectives/transport/transport.h"

namespace hockney {

inline constexpr size_t kDefaultChunkBytes = 512 * 1024;

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

struct AllreduceAlgorithm {
  std::string_view name;
  std::string_view summary;
  void (*run)(Transport&, const AllreduceArgs&);
  Cost (*cost)(int p, const AllreduceShape&);
  size_t (*scratch)(int p, const AllreduceShape&);
};

std::span<const AllreduceAlgorithm> allreduceAlgorithms();
// nullptr when there is no such algorithm.
const AllreduceAlgorithm* findAllreduce(std::string_view name);

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
