#include "collectives/bcast/binomial.h"

#include "collectives/core/chunk.h"

namespace hockney {

void binomialBcast(Transport& t, void* buf, size_t bytes, int root) {
  const int p = t.size();
  if (p == 1 || bytes == 0) return;
  const int v = (t.rank() - root + p) % p;
  int m = 1;
  while (m < p) {  // find the bit this rank receives on
    if (v & m) {
      t.recv((v - m + root) % p, buf, bytes);
      break;
    }
    m *= 2;
  }
  for (m /= 2; m >= 1; m /= 2)
    if (v + m < p) t.send((v + m + root) % p, buf, bytes);
}

Cost binomialBcastCost(int p, size_t bytes) {
  if (p == 1 || bytes == 0) return {};
  double lg = ceilLog2(static_cast<size_t>(p));
  return {lg, lg * static_cast<double>(bytes), 0};
}

}  // namespace hockney
