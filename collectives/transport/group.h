#pragma once
// A group of a transport's ranks seen as a transport of its own (an MPI sub-communicator without
// MPI): rank i of the group is parent rank members[i], and peers are translated both ways. Steps,
// reductions and copies go through the parent, so the parent's progress (the watchdog) and the
// counting transport's clocks see the group's traffic. Hierarchical algorithms run their phases
// on groups: the ranks of one node, or one rank from each node.
#include <vector>

#include "collectives/transport/transport.h"

namespace hockney {

class GroupTransport : public Transport {
 public:
  // `members`: parent ranks in group order, distinct; must hold the parent's own rank.
  GroupTransport(Transport& parent, std::vector<int> members);
  int rank() const override { return rank_; }
  int size() const override { return static_cast<int>(members_.size()); }
  std::string_view backend() const override { return parent_.backend(); }
  StepHandle start(std::span<const Send> sends, std::span<const Recv> recvs) override;
  void wait(StepHandle& step) override { parent_.wait(step); }
  void reduce(void* dst, const void* src, size_t count, DataType type, ReduceOp op) override {
    parent_.reduce(dst, src, count, type, op);
  }
  void copy(void* dst, const void* src, size_t bytes) override { parent_.copy(dst, src, bytes); }
  Device* device() override { return parent_.device(); }
  // Dissemination barrier among the members (on the control tag, one byte per round).
  void barrier() override;

 private:
  Transport& parent_;
  std::vector<int> members_;
  int rank_ = -1;
  std::vector<Send> sends_;
  std::vector<Recv> recvs_;
};

}  // namespace hockney
