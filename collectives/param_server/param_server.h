#pragma once
// Parameter server push/pull (Li et al., OSDI'14; BytePS, OSDI'20). Workers push a gradient of
// n bytes split in K shards to K servers; each server reduces its shard over all workers and
// returns it (pull), so every worker ends with the reduced vector.
//   single (K = 1): push α + W·n·β_s + (W-1)·n·γ at the server, pull α + W·n·β_s: the server's
//   link carries every worker's traffic (incast). sharded (K > 1): each server link carries
//   W·n/K each way, each worker link n.
// Placement: dedicated (K extra ranks are servers, the first p-K are workers) or colocated
// (every rank is a worker; shard j lives on rank j).
// cost() replays the schedule (collectives/schedule/schedule.h): push and pull are one step each.
#include "collectives/schedule/schedule.h"

namespace hockney {

struct PsLayout {
  int p = 1;
  int servers = 1;
  bool colocated = false;
  int workers() const { return colocated ? p : p - servers; }
  int serverRank(int j) const { return colocated ? j : p - servers + j; }
  int serverIndex(int rank) const;  // -1 when rank serves nothing
  bool isWorker(int rank) const { return rank < workers(); }
};

// Throws UsageError when the layout cannot exist on p ranks.
PsLayout psLayout(int p, int servers, bool colocated);

// count = elements of the gradient. Slots: one shard per worker a server receives from.
Schedule paramServerPlan(const PsLayout& layout, int rank, size_t count);
size_t paramServerSlotElems(const PsLayout& layout, size_t count);
int paramServerSlots(const PsLayout& layout);

}  // namespace hockney
