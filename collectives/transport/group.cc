#include "collectives/transport/group.h"

#include <algorithm>

#include "collectives/core/error.h"

namespace hockney {

GroupTransport::GroupTransport(Transport& parent, std::vector<int> members)
    : parent_(parent), members_(std::move(members)) {
  for (size_t i = 0; i < members_.size(); ++i) {
    HOCKNEY_CHECK(members_[i] >= 0 && members_[i] < parent_.size(),
                  "group member {} is not a rank of {}", members_[i], parent_.size());
    if (members_[i] == parent_.rank()) rank_ = static_cast<int>(i);
  }
  HOCKNEY_CHECK(rank_ >= 0, "rank {} is not a member of its group", parent_.rank());
  std::vector<int> sorted = members_;
  std::sort(sorted.begin(), sorted.end());
  HOCKNEY_CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end(),
                "a group lists a rank twice");
}

StepHandle GroupTransport::start(std::span<const Send> sends, std::span<const Recv> recvs) {
  sends_.assign(sends.begin(), sends.end());
  recvs_.assign(recvs.begin(), recvs.end());
  for (Send& s : sends_) s.peer = members_.at(s.peer);
  for (Recv& r : recvs_) r.peer = members_.at(r.peer);
  return parent_.start(sends_, recvs_);
}

void GroupTransport::barrier() {
  const int p = size();
  char out = 0, in = 0;
  for (int distance = 1; distance < p; distance <<= 1) {
    Send s{(rank_ + distance) % p, &out, 1, kControlTag};
    Recv r{(rank_ - distance + p) % p, &in, 1, kControlTag};
    exchange({&s, 1}, {&r, 1});
  }
}

}  // namespace hockney
