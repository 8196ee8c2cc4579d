#include "collectives/allreduce/fold.h"

namespace hockney {

void foldIn(Transport& t, const Fold& fold, void* buf, size_t count, DataType type, ReduceOp op,
            void* scratch) {
  if (fold.partner < 0) return;
  const size_t bytes = count * elementSize(type);
  if (fold.participates()) {
    t.recv(fold.partner, scratch, bytes);
    t.reduce(buf, scratch, count, type, op);
  } else {
    t.send(fold.partner, buf, bytes);
  }
}

void foldOut(Transport& t, const Fold& fold, void* buf, size_t count, DataType type) {
  if (fold.partner < 0) return;
  const size_t bytes = count * elementSize(type);
  if (fold.participates())
    t.send(fold.partner, buf, bytes);
  else
    t.recv(fold.partner, buf, bytes);
}

Cost foldCost(int p, size_t count, DataType type) {
  Fold f = foldOf(0, p);
  if (f.remainder == 0 || count == 0) return {};
  double n = static_cast<double>(count * elementSize(type));
  return {2, 2 * n, n};
}

}  // namespace hockney
