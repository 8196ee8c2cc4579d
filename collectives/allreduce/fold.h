#pragma once
// The non-power-of-two fold shared by recursive doubling and Rabenseifner (MPICH's scheme):
// before, each even rank among the first 2r sends its whole vector to the odd rank above it,
// which reduces it in; after, the odd rank sends the result back.
// Cost when r > 0: before α + nβ + nγ, after α + nβ; nothing when p is a power of two.
#include "collectives/core/chunk.h"
#include "collectives/core/cost.h"
#include "collectives/core/datatype.h"
#include "collectives/transport/transport.h"

namespace hockney {

void foldIn(Transport& t, const Fold& fold, void* buf, size_t count, DataType type, ReduceOp op,
            void* scratch);
void foldOut(Transport& t, const Fold& fold, void* buf, size_t count, DataType type);
Cost foldCost(int p, size_t count, DataType type);

}  // namespace hockney
