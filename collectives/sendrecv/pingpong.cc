// pingpong: a sends n bytes to b, b sends them back (OSU's latency test). One call is one round
// trip; the reported time is one-way (half). Cost per one-way: α + n·β. No scratch.
#include "collectives/sendrecv/sendrecv.h"

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

}  // namespace hockney
