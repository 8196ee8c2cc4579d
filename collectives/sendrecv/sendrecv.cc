#include "collectives/sendrecv/sendrecv.h"

#include <algorithm>

namespace hockney {

void pingpong(Transport& t, int a, int b, const void* send, void* recv, size_t bytes) {
  if (t.rank() == a) {
    t.send(b, send, bytes);
    t.recv(b, recv, bytes);
  } else if (t.rank() == b) {
    t.recv(a, recv, bytes);
    t.send(a, send, bytes);
  }
}

void bidirectional(Transport& t, int a, int b, const void* send, void* recv, size_t bytes) {
  if (t.rank() == a) t.sendRecv(b, send, bytes, b, recv, bytes);
  if (t.rank() == b) t.sendRecv(a, send, bytes, a, recv, bytes);
}

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
