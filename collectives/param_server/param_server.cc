#include "collectives/param_server/param_server.h"

#include <fmt/format.h>

#include "collectives/core/chunk.h"
#include "collectives/core/error.h"

namespace hockney {

int PsLayout::serverIndex(int rank) const {
  const int j = colocated ? rank : rank - (p - servers);
  return j >= 0 && j < servers ? j : -1;
}

PsLayout psLayout(int p, int servers, bool colocated) {
  HOCKNEY_USAGE_CHECK(servers >= 1, "--servers must be at least 1, not {}", servers);
  if (colocated)
    HOCKNEY_USAGE_CHECK(servers <= p, "--servers {} colocated needs at least {} ranks, not {}",
                        servers, servers, p);
  else
    HOCKNEY_USAGE_CHECK(
        servers < p, "--servers {} dedicated needs at least {} ranks (servers + 1 worker), not {}",
        servers, servers + 1, p);
  return PsLayout{p, servers, colocated};
}

size_t paramServerSlotElems(const PsLayout& l, size_t count) {
  return maxChunkLength(count, static_cast<size_t>(l.servers));
}

int paramServerSlots(const PsLayout& l) {
  return l.workers();
}

Schedule paramServerPlan(const PsLayout& l, int rank, size_t count) {
  Schedule schedule(2);
  ScheduleStep& push = schedule[0];
  ScheduleStep& pull = schedule[1];
  push.phase = 0;
  pull.phase = 1;
  if (count == 0) return schedule;
  const auto k = static_cast<size_t>(l.servers);
  if (l.isWorker(rank)) {
    for (int j = 0; j < l.servers; ++j) {
      const int server = l.serverRank(j);
      if (server == rank) continue;  // colocated: its own shard is already in place
      Chunk shard = chunkOf(count, k, static_cast<size_t>(j));
      push.sends.push_back({server, shard.offset, shard.length, -1, 0});
      pull.recvs.push_back({server, shard.offset, shard.length, -1, 1});
    }
  }
  const int j = l.serverIndex(rank);
  if (j >= 0) {
    Chunk shard = chunkOf(count, k, static_cast<size_t>(j));
    int slot = 0;
    for (int w = 0; w < l.workers(); ++w) {
      if (w == rank) continue;
      push.recvs.push_back({w, 0, shard.length, slot, 0});
      // A dedicated server starts from the first push; a colocated one from its own gradient.
      if (slot == 0 && !l.colocated)
        push.copies.push_back({-1, shard.offset, shard.length, slot, 0});
      else
        push.reduces.push_back({-1, shard.offset, shard.length, slot, 0});
      pull.sends.push_back({w, shard.offset, shard.length, -1, 1});
      ++slot;
    }
  }
  return schedule;
}

}  // namespace hockney
