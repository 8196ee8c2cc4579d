#include "collectives/reduce/binomial.h"

#include "collectives/core/chunk.h"

namespace hockney {

void binomialReduce(Transport& t, void* buf, size_t count, DataType type, ReduceOp op, int root,
                    void* scratch) {
  const int p = t.size();
  if (p == 1 || count == 0) return;
  const size_t bytes = count * elementSize(type);
  const int v = (t.rank() - root + p) % p;
  for (int m = 1; m < p; m *= 2) {
    if (v & m) {
      t.send((v - m + root) % p, buf, bytes);
      return;
    }
    if (v + m < p) {
      t.recv((v + m + root) % p, scratch, bytes);
      t.reduce(buf, scratch, count, type, op);
    }
  }
}

Cost binomialReduceCost(int p, size_t count, DataType type) {
  if (p == 1 || count == 0) return {};
  double lg = ceilLog2(static_cast<size_t>(p));
  double n = static_cast<double>(count * elementSize(type));
  return {lg, lg * n, lg * n};
}

}  // namespace hockney
