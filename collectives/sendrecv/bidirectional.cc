// bidirectional: a and b send n bytes to each other at once (OSU's bidirectional bandwidth).
// Cost: α + n·β on a full-duplex link. No scratch.
#include "collectives/sendrecv/sendrecv.h"

namespace hockney {

void bidirectional(Transport& t, int a, int b, const void* send, void* recv, size_t bytes) {
  if (t.rank() == a) t.sendRecv(b, send, bytes, b, recv, bytes);
  if (t.rank() == b) t.sendRecv(a, send, bytes, a, recv, bytes);
}

}  // namespace hockney
