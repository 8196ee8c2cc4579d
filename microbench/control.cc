#include "microbench/control.h"

#include <algorithm>
#include <cstdint>

namespace hockney {

// Control traffic uses the last tag so it never mixes with an algorithm's streams.
constexpr int kControlTag = kMaxTags - 1;

void broadcastFromZero(Transport& t, void* data, size_t bytes) {
  if (t.rank() == 0) {
    std::vector<Send> sends;
    for (int r = 1; r < t.size(); ++r) sends.push_back({r, data, bytes, kControlTag});
    t.exchange(sends, {});
  } else {
    Recv r{0, data, bytes, kControlTag};
    t.exchange({}, {&r, 1});
  }
}

void maxOverRanks(Transport& t, std::span<double> values) {
  const size_t bytes = values.size() * sizeof(double);
  if (t.rank() == 0) {
    std::vector<double> other(values.size());
    for (int r = 1; r < t.size(); ++r) {
      Recv recv{r, other.data(), bytes, kControlTag};
      t.exchange({}, {&recv, 1});
      for (size_t i = 0; i < values.size(); ++i) values[i] = std::max(values[i], other[i]);
    }
  } else {
    Send send{0, values.data(), bytes, kControlTag};
    t.exchange({&send, 1}, {});
  }
  broadcastFromZero(t, values.data(), bytes);
}

std::vector<std::string> gatherToZero(Transport& t, const std::string& mine) {
  std::vector<std::string> all;
  if (t.rank() == 0) {
    all.push_back(mine);
    for (int r = 1; r < t.size(); ++r) {
      uint64_t length = 0;
      Recv len{r, &length, sizeof length, kControlTag};
      t.exchange({}, {&len, 1});
      std::string s(length, '\0');
      Recv body{r, s.data(), length, kControlTag};
      t.exchange({}, {&body, 1});
      all.push_back(std::move(s));
    }
  } else {
    uint64_t length = mine.size();
    Send len{0, &length, sizeof length, kControlTag};
    t.exchange({&len, 1}, {});
    Send body{0, mine.data(), mine.size(), kControlTag};
    t.exchange({&body, 1}, {});
  }
  return all;
}

}  // namespace hockney
