#pragma once
// Point-to-point patterns between ranks, as OSU's latency, bandwidth and multi-pair tests.
#include "collectives/core/cost.h"
#include "collectives/transport/transport.h"

namespace hockney {

// pingpong: a sends n bytes to b, b sends them back. One call = one round trip; reported
// one-way (half). Cost per one-way: α + n·β.
void pingpong(Transport& t, int a, int b, const void* send, void* recv, size_t bytes);
// bidirectional: a and b send n bytes to each other at once. Cost: α + n·β (full duplex).
void bidirectional(Transport& t, int a, int b, const void* send, void* recv, size_t bytes);
// multipair: ranks 2i and 2i+1 ping-pong at the same time (an odd last rank idles).
void multipairPingpong(Transport& t, const void* send, void* recv, size_t bytes);
// The partner of `rank` in multipair, or -1.
int multipairPartner(int rank, int p);

}  // namespace hockney
