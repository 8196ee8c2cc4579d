// The parameter-server algorithms, as the registry lists them: single (one server, incast) and
// sharded (--servers K), both the schedule of param_server.cc with K = 1 or K. count = the
// gradient.
#include <array>
#include <tuple>

#include "collectives/core/error.h"
#include "collectives/param_server/param_server.h"
#include "collectives/registry.h"

namespace hockney {
namespace {

template <bool Single>
PsLayout layoutOf(const CallShape& s) {
  const PatternParams& o = s.options();
  return psLayout(s.ranks, Single ? 1 : o.servers, o.placement == "colocated");
}

template <bool Single>
void run(Transport& t, const CallShape& s, const CallBuffers& b) {
  const PsLayout l = layoutOf<Single>(s);
  thread_local ScheduleCache<std::tuple<int, int, int, bool, size_t>> cache;
  const Schedule& schedule =
      cache.get(std::make_tuple(l.p, t.rank(), l.servers, l.colocated, s.count),
                [&] { return paramServerPlan(l, t.rank(), s.count); });
  if (l.isWorker(t.rank())) t.copy(b.output, b.input, s.bytes());
  executeSchedule(t, schedule,
                  ScheduleBuffers{b.output, b.scratch, paramServerSlotElems(l, s.count), b.phases},
                  s.type, s.op);
}

template <bool Single>
Cost cost(const CallShape& s) {
  const PsLayout l = layoutOf<Single>(s);
  std::vector<Schedule> schedules;
  for (int r = 0; r < s.ranks; ++r) schedules.push_back(paramServerPlan(l, r, s.count));
  return replaySchedules(schedules, elementSize(s.type));
}

template <bool Single>
size_t scratch(const CallShape& s, int) {
  const PsLayout l = layoutOf<Single>(s);
  return static_cast<size_t>(paramServerSlots(l)) * paramServerSlotElems(l, s.count) *
         elementSize(s.type);
}

constexpr std::array kAlgorithms{
    Algorithm{"ps", "single", "one server reduces every worker's push (incast)", run<true>,
              cost<true>, scratch<true>},
    Algorithm{"ps", "sharded", "--servers shards, each reducing its part of every push", run<false>,
              cost<false>, scratch<false>,
              [](const CallShape& s) -> std::optional<std::string> {
                if (s.options().servers < 2)
                  return std::string("sharded needs --servers 2 or more");
                return std::nullopt;
              }},
};

constexpr std::array<std::string_view, 2> kPhases{"push", "pull"};
constexpr std::array<std::string_view, 2> kOptions{"--servers", "--ps-placement"};

void check(const PatternParams& o, int p) {
  HOCKNEY_USAGE_CHECK(o.placement == "dedicated" || o.placement == "colocated",
                      "unknown --ps-placement '{}' (expected dedicated or colocated)", o.placement);
  psLayout(p, o.servers, o.placement == "colocated");
  psLayout(p, 1, o.placement == "colocated");  // single
}

}  // namespace

const Pattern& paramServerPattern() {
  static const Pattern kPattern{
      "ps",        "workers push gradients to servers and pull the sum",
      wholeVector, wholeVector,
      check,       kPhases,
      kAlgorithms, {.reduces = true, .reference = "single", .vendors = {}, .options = kOptions}};
  return kPattern;
}

}  // namespace hockney
