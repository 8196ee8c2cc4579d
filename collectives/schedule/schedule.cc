#include "collectives/schedule/schedule.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <tuple>

#include "collectives/core/error.h"

namespace hockney {

void spinMicroseconds(double us) {
  if (us <= 0) return;
  auto until = std::chrono::steady_clock::now() +
               std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                   std::chrono::duration<double, std::micro>(us));
  while (std::chrono::steady_clock::now() < until) {
  }
}

void executeSchedule(Transport& t, const Schedule& schedule, const ScheduleBuffers& b,
                     DataType type, ReduceOp op) {
  const size_t es = elementSize(type);
  auto* out = static_cast<std::byte*>(b.output);
  const auto* from = b.sendFrom ? static_cast<const std::byte*>(b.sendFrom) : out;
  auto* scratch = static_cast<std::byte*>(b.scratch);
  auto slot = [&](const ScheduleMove& m) {
    return scratch + static_cast<size_t>(m.slot) * b.slotElems * es;
  };
  std::vector<Send> sends;
  std::vector<Recv> recvs;
  for (const ScheduleStep& step : schedule) {
    const auto start =
        b.phaseSeconds ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
    if (!step.sends.empty() || !step.recvs.empty()) {
      sends.clear();
      recvs.clear();
      for (const auto& m : step.sends)
        sends.push_back({m.peer, from + m.offset * es, m.count * es, m.tag});
      for (const auto& m : step.recvs)
        recvs.push_back({m.peer, m.slot < 0 ? out + m.offset * es : slot(m), m.count * es, m.tag});
      t.exchange(sends, recvs);
    }
    for (const auto& m : step.copies) t.copy(out + m.offset * es, slot(m), m.count * es);
    for (const auto& m : step.reduces) t.reduce(out + m.offset * es, slot(m), m.count, type, op);
    if (b.phaseSeconds)
      b.phaseSeconds[step.phase] +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    spinMicroseconds(step.computeUs);
  }
}

Cost replaySchedules(const std::vector<Schedule>& schedules, size_t elemSize) {
  const size_t p = schedules.size();
  std::map<std::tuple<int, int, int>, std::deque<Cost>> inFlight;  // (src, dst, tag)
  std::vector<Cost> clock(p);
  std::vector<size_t> next(p, 0);
  std::vector<bool> posted(p, false);
  for (bool progress = true; progress;) {
    progress = false;
    for (size_t r = 0; r < p; ++r) {
      const int me = static_cast<int>(r);
      while (next[r] < schedules[r].size()) {
        const ScheduleStep& step = schedules[r][next[r]];
        if (!posted[r]) {
          for (const auto& s : step.sends) inFlight[{me, s.peer, s.tag}].push_back(clock[r]);
          posted[r] = true;
        }
        std::map<std::tuple<int, int, int>, size_t> need;
        for (const auto& m : step.recvs) ++need[{m.peer, me, m.tag}];
        bool ready = std::all_of(need.begin(), need.end(), [&](const auto& kv) {
          return inFlight[kv.first].size() >= kv.second;
        });
        if (!ready) break;
        Cost done = clock[r];
        size_t sent = 0, received = 0;
        for (const auto& s : step.sends) sent += s.count * elemSize;
        for (const auto& m : step.recvs) {
          auto& q = inFlight[{m.peer, me, m.tag}];
          done = maxCost(done, q.front());
          q.pop_front();
          received += m.count * elemSize;
        }
        if (!step.sends.empty() || !step.recvs.empty())
          clock[r] =
              maxCost(clock[r], done + Cost{1, static_cast<double>(std::max(sent, received)), 0});
        for (const auto& m : step.reduces)
          clock[r].gammaBytes += static_cast<double>(m.count * elemSize);
        ++next[r];
        posted[r] = false;
        progress = true;
      }
    }
  }
  Cost total;
  for (size_t r = 0; r < p; ++r) {
    HOCKNEY_CHECK(next[r] == schedules[r].size(), "schedule replay deadlocked at rank {} step {}",
                  r, next[r]);
    total = maxCost(total, clock[r]);
  }
  return total;
}

}  // namespace hockney
