// multipair: ranks 2i and 2i+1 ping-pong at the same time (OSU's multi-pair latency); an odd
// last rank idles. Reported one-way, like pingpong. Cost per one-way: α + n·β. No scratch.
#include <algorithm>

#include "collectives/sendrecv/sendrecv.h"

namespace hockney {

int multipairPartner(int rank, int p) {
  int partner = rank ^ 1;
  return partner < p ? partner : -1;
}

void multipairPingpong(Transport& t, const void* send, void* recv, size_t bytes) {
  const int partner = multipairPartner(t.rank(), t.size());
  if (partner < 0) return;
  const int a = std::min(t.rank(), partner);
  pingpong(t, a, a + 1, send, recv, bytes);
}

}  // namespace hockney
