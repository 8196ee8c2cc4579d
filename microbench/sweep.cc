#include "microbench/sweep.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <utility>

#include "collectives/core/checked.h"
#include "collectives/core/error.h"
#include "microbench/allocator.h"
#include "microbench/control.h"
#include "microbench/host_buffer.h"
#include "microbench/validation.h"
#include "microbench/watchdog.h"
#include "reports/stats.h"

namespace hockney {
namespace {

double secondsNow() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct BufferSet {
  std::byte* input;
  std::byte* output;
};

// Device memory for one point, released when the point ends.
class DeviceBuffer {
 public:
  DeviceBuffer(Device& d, size_t bytes)
      : device_(&d), data_(static_cast<std::byte*>(d.allocate(bytes))) {}
  ~DeviceBuffer() {
    if (device_) device_->release(data_);
  }
  DeviceBuffer(DeviceBuffer&& o) noexcept
      : device_(std::exchange(o.device_, nullptr)), data_(o.data_) {}
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(DeviceBuffer&&) = delete;
  std::byte* data() const { return data_; }

 private:
  Device* device_;
  std::byte* data_;
};

}  // namespace

BufferPool::BufferPool() : slots_(3) {}
BufferPool::~BufferPool() = default;

std::byte* BufferPool::get(int slot, size_t bytes) {
  HostBuffer& b = slots_.at(static_cast<size_t>(slot));
  if (b.data() == nullptr || b.bytes() < bytes) b = HostBuffer(std::max(bytes, 2 * b.bytes()));
  return b.data();
}

int bufferSetsFor(const SweepConfig& config, size_t bytesPerSet) {
  if (config.buffers == "hot") return 1;
  if (config.bufferSets > 0) return config.bufferSets;
  if (bytesPerSet == 0) return 1;
  size_t sets = config.rotateBytes / bytesPerSet + (config.rotateBytes % bytesPerSet != 0);
  return static_cast<int>(std::clamp<size_t>(sets, 1, 16));
}

void placeSweep(SweepConfig& config, std::shared_ptr<const Topology> topology,
                std::vector<int> worldRanks, std::string scope) {
  config.nodeOfRank.clear();
  for (int w : worldRanks) config.nodeOfRank.push_back(topology->ranks.at(w).host);
  config.topology = std::move(topology);
  config.worldRanks = std::move(worldRanks);
  config.scope = std::move(scope);
}

LinkLevel widestLevel(const SweepConfig& config, const BenchCase& c) {
  if (!config.topology) return LinkLevel::kUnrecorded;
  std::vector<int> ranks = config.worldRanks;
  if (c.own != nullptr && c.own->betweenPeers) {
    const auto& o = config.pattern;
    if (o.peerA < 0 || o.peerB < 0 || o.peerA >= static_cast<int>(ranks.size()) ||
        o.peerB >= static_cast<int>(ranks.size()))
      return LinkLevel::kUnrecorded;
    ranks = {ranks[static_cast<size_t>(o.peerA)], ranks[static_cast<size_t>(o.peerB)]};
  }
  return config.topology->widest(ranks);
}

std::optional<nlohmann::json> placementDetail(const SweepConfig& config, const BenchCase& c) {
  if (c.own != nullptr && c.own->betweenPeers) return std::nullopt;  // two peers: one level
  std::map<int, int> perHost;
  for (int host : config.nodeOfRank) ++perHost[host];
  if (perHost.size() < 2) return std::nullopt;
  int most = 0;
  for (const auto& [host, n] : perHost) most = std::max(most, n);
  return nlohmann::json{{"hosts", perHost.size()}, {"ranks_per_host", most}};
}

namespace {

CaseShape pointShape(const BenchCase& c, size_t requested, int p, const SweepConfig& config) {
  CaseShape shape;
  shape.ranks = p;
  shape.requestedBytes = requested;
  shape.bytes = c.effectiveBytes(requested, p, config.type, config.pattern);
  shape.count = shape.bytes / elementSize(config.type);
  shape.type = config.type;
  shape.op = config.op;
  shape.chunkBytes = config.chunkBytes;
  shape.setOptions(&config.pattern);
  shape.memoryPerRank = config.memoryPerRank;
  shape.memoryWhere = config.memoryWhere;
  if (static_cast<int>(config.nodeOfRank.size()) == p) shape.nodeOfRank = &config.nodeOfRank;
  return shape;
}

// What one rank allocates for a point: its buffer sets and scratch.
struct PointBuffers {
  size_t inBytes = 0, outBytes = 0, scratchBytes = 0;
  int sets = 1;
  size_t need = 0;
};

PointBuffers pointBuffers(const BenchCase& c, const CaseShape& shape, const void* state, int me,
                          const SweepConfig& config, const std::string& what) {
  PointBuffers b;
  b.inBytes = c.inputBytes(shape, state, me);
  b.outBytes = c.outputBytes(shape, state, me);
  const size_t perSet = checkedAdd(b.inBytes, b.outBytes, what);
  b.sets = bufferSetsFor(config, std::max<size_t>(perSet, 1));
  b.scratchBytes = c.scratchBytes(shape, state, me);
  b.need = checkedAdd(checkedMul(perSet, static_cast<size_t>(b.sets), what), b.scratchBytes, what);
  return b;
}

}  // namespace

size_t largestPointNeed(const BenchCase& c, size_t requested, int p, const SweepConfig& config) {
  CaseShape shape = pointShape(c, requested, p, config);
  const std::string what = fmt::format("{}/{} at {} bytes", c.pattern, c.algorithm, shape.bytes);
  size_t largest = 0;
  for (int r = 0; r < p; ++r) {
    CaseShape mine = shape;
    const std::shared_ptr<const void> state = c.prepare ? c.prepare(mine, r) : nullptr;
    largest = std::max(largest, pointBuffers(c, mine, state.get(), r, config, what).need);
  }
  return largest;
}

ResultRow measurePoint(Transport& t, const BenchCase& c, size_t requested,
                       const SweepConfig& config, Watchdog* watchdog) {
  const int p = t.size();
  const int me = t.rank();
  CaseShape shape = pointShape(c, requested, p, config);
  const std::shared_ptr<const void> state = c.prepare ? c.prepare(shape, me) : nullptr;
  // Same on every rank: sized from the nominal vector, not this rank's share.
  const std::string what = fmt::format("{}/{} at {} bytes", c.pattern, c.algorithm, shape.bytes);
  const PointBuffers sized = pointBuffers(c, shape, state.get(), me, config, what);
  // Plain names, not a structured binding: the sample lambdas capture them.
  const size_t inBytes = sized.inBytes, outBytes = sized.outBytes,
               scratchBytes = sized.scratchBytes;
  const size_t need = sized.need;
  const int sets = sized.sets;
  if (config.memoryPerRank > 0) {
    // Every rank learns the largest need, so all refuse together or none does.
    double largest = static_cast<double>(need);
    maxOverRanks(t, {&largest, 1});
    HOCKNEY_USAGE_CHECK(largest <= static_cast<double>(config.memoryPerRank),
                        "{} needs {:.3g} GB per rank ({} buffer sets and scratch); {} "
                        "{:.3g} GB available per rank: choose smaller sizes",
                        what, largest / 1e9, sets, config.memoryWhere,
                        static_cast<double>(config.memoryPerRank) / 1e9);
  }

  // Allocation and initialisation stay outside the timed region; scratch is allocated once.
  // On a device transport the algorithms' buffers are device memory: test data is made on the
  // host and uploaded, outputs are downloaded and checked on the host.
  Device* const dev = t.device();
  std::vector<BufferSet> buffers;
  std::vector<HostBuffer> owned;  // fresh buffers of this point (cold, or no pool), host staging
  std::vector<DeviceBuffer> onDevice;
  std::byte* scratch = nullptr;
  std::byte* staging = nullptr;  // device: the host copy outputs are checked in
  try {
    if (dev) {
      onDevice.reserve(static_cast<size_t>(2 * sets + 1));
      for (int s = 0; s < sets; ++s) {
        std::byte* in = onDevice.emplace_back(*dev, inBytes).data();
        buffers.push_back({in, onDevice.emplace_back(*dev, outBytes).data()});
      }
      scratch = onDevice.emplace_back(*dev, scratchBytes).data();
      owned.reserve(2);
      HostBuffer& input = owned.emplace_back(inBytes);
      HostBuffer& output = owned.emplace_back(outBytes);
      c.init(input.data(), shape, state.get(), me);
      poison(output.data(), outBytes / elementSize(config.type), config.type);
      for (const BufferSet& b : buffers) {
        dev->upload(b.input, input.data(), inBytes);
        dev->upload(b.output, output.data(), outBytes);
      }
      staging = output.data();
    } else if (config.pool && sets == 1) {
      buffers.push_back({config.pool->get(0, inBytes), config.pool->get(1, outBytes)});
      scratch = config.pool->get(2, scratchBytes);
    } else {
      owned.reserve(static_cast<size_t>(2 * sets + 1));
      for (int s = 0; s < sets; ++s) {
        owned.emplace_back(inBytes);
        std::byte* in = owned.back().data();
        owned.emplace_back(outBytes);
        buffers.push_back({in, owned.back().data()});
      }
      owned.emplace_back(scratchBytes);
      scratch = owned.back().data();
    }
    if (!dev)
      for (const BufferSet& b : buffers) {
        c.init(b.input, shape, state.get(), me);
        poison(b.output, outBytes / elementSize(config.type), config.type);
      }
  } catch (const std::bad_alloc&) {
    HOCKNEY_THROW("rank {}: cannot allocate {} bytes of {} memory for {}", me, need,
                  dev ? "device" : "host", what);
  }
  const size_t phases = c.phases().size();
  const double timeScale = c.timeScale();
  std::vector<double> phaseClock(std::max<size_t>(phases, 1));
  std::vector<std::vector<double>> phaseSamples(phases);

  if (watchdog) watchdog->setContext({c.pattern, c.algorithm, shape.bytes});
  // One timed sample: barrier, then `calls` back-to-back calls, each on the next buffer set.
  long nextCall = 0;
  long written = 0;    // buffer sets the timed calls have written (the ones to check)
  long captured = -1;  // calls in the captured graph (--cuda-graph)
  auto calls = [&](long n) {
    for (long k = 0; k < n; ++k, ++nextCall) {
      const BufferSet& b = buffers[static_cast<size_t>(nextCall % sets)];
      c.run(t, shape, CaseBuffers{b.input, b.output, scratch, state.get(), phaseClock.data()});
    }
    written = std::min<long>(sets, std::max(written, nextCall));
  };
  auto sample = [&](long index, long n) {
    std::fill(phaseClock.begin(), phaseClock.end(), 0.0);
    if (dev && config.cudaGraph && captured != n) {
      nextCall = 0;  // the graph replays the sets from the first
      dev->capture([&] { calls(n); });
      captured = n;
    }
    t.barrier();
    if (watchdog) watchdog->arm(index);
    double elapsed = 0;
    if (dev) {
      dev->timerStart();
      if (config.cudaGraph)
        dev->replay();
      else
        calls(n);
      elapsed = dev->timerStop();
    } else if (sets == 1) {
      // Hot buffers: one set, chosen once, nothing per call but the call.
      const CaseBuffers hot{buffers[0].input, buffers[0].output, scratch, state.get(),
                            phaseClock.data()};
      const double start = secondsNow();
      for (long k = 0; k < n; ++k) c.run(t, shape, hot);
      elapsed = secondsNow() - start;
      nextCall += n;
      written = 1;
    } else {
      const double start = secondsNow();
      calls(n);
      elapsed = secondsNow() - start;
    }
    if (watchdog) watchdog->disarm();
    return elapsed / static_cast<double>(n);
  };

  const bool automatic = config.iterations <= 0 || config.batch <= 0;
  const long warmup = automatic ? std::max(config.warmup, 1L) : config.warmup;
  std::vector<double> warm;
  for (long i = 0; i < warmup; ++i) warm.push_back(sample(i, 1));
  int64_t plan[2] = {config.iterations, config.batch};
  if (automatic) {
    // Every rank must run the same counts: all see the slowest rank's warm-up, rank 0 decides.
    maxOverRanks(t, warm);
    std::sort(warm.begin(), warm.end());
    const double typical = std::max(percentile(warm, 0.5), 1e-9);
    if (plan[1] <= 0)
      plan[1] = std::clamp<int64_t>(
          static_cast<int64_t>(std::ceil(config.minSampleSeconds / typical)), 1, config.maxBatch);
    if (plan[0] <= 0)
      plan[0] = std::clamp<int64_t>(
          static_cast<int64_t>(
              std::ceil(config.targetSeconds / (typical * static_cast<double>(plan[1])))),
          config.minIterations, config.maxIterations);
    broadcastFromZero(t, plan, sizeof plan);
  }
  const long iterations = plan[0];
  const long batch = plan[1];
  std::vector<double> times(static_cast<size_t>(iterations));
  // Page faults during the timed samples: memory mapped afresh per call (allocator.h). The
  // barriers and control messages between samples fault nothing once warm.
  const long faultsBefore = minorPageFaults();
  for (long i = 0; i < iterations; ++i) {
    times[static_cast<size_t>(i)] = sample(warmup + i, batch) * timeScale;
    for (size_t ph = 0; ph < phases; ++ph)
      phaseSamples[ph].push_back(phaseClock[ph] / static_cast<double>(batch));
  }
  double faultsPerCall = static_cast<double>(minorPageFaults() - faultsBefore) /
                         static_cast<double>(iterations * batch);
  // By default a sample lasts as long as its slowest rank (--rank-stat: or the mean, fastest,
  // rank 0); phases the same way; page faults are the most of any rank.
  combineOverRanks(t, times, config.rankStat);
  maxOverRanks(t, {&faultsPerCall, 1});
  for (auto& ph : phaseSamples) combineOverRanks(t, ph, config.rankStat);

  ResultRow row;
  row.pattern = c.pattern;
  row.algorithm = c.algorithm;
  row.backend = std::string(t.backend());
  row.ranks = p;
  row.bytes = shape.bytes;
  row.count = shape.count;
  row.dtype = std::string(name(config.type));
  row.op = std::string(name(config.op));
  row.iterations = iterations;
  row.warmup = warmup;
  row.rankStat = config.rankStat;
  Summary s = summarize(times);
  row.timeUs = s.scaled(1e6);
  const double algBytes = static_cast<double>(c.algbwBytes(shape, state.get()));
  row.algbwGbps = s.median > 0 ? algBytes / s.median / 1e9 : 0;
  row.busbwGbps = row.algbwGbps * c.busFactor(p);
  row.callsPerSample = batch;
  row.bufferSets = sets;
  row.buffers = config.buffers;
  row.inPlace = false;
  row.scope = config.scope;
  row.level = widestLevel(config, c);
  row.cost = c.cost(shape, state.get());
  row.details = c.details ? c.details(shape, state.get()) : nlohmann::json::object();
  if (shape.bytes != requested) row.details["requested_bytes"] = requested;
  // Where the ranks sit when they span several hosts: a call with several ranks on each host
  // crosses two levels, and fit prices it from both levels' fits rather than fitting it as one.
  if (const auto placement = placementDetail(config, c)) row.details["placement"] = *placement;
  if (dev) {
    row.details["timer"] =
        config.cudaGraph ? "device events, CUDA graph of the calls" : "device events";
    // Phase clocks are host clocks: on a device they would time enqueueing, not transfers.
    if (phases > 0) row.details["phase_median_us"] = "not timed on a device backend";
  } else if (phases > 0) {
    nlohmann::json ph = nlohmann::json::object();
    for (size_t i = 0; i < phases; ++i)
      ph[std::string(c.phases()[i])] = summarize(phaseSamples[i]).median * 1e6;
    row.details["phase_median_us"] = ph;
  }
  row.minorFaultsPerCall = faultsPerCall;
  if (isBimodal(times)) row.flags.push_back("bimodal");
  if (faultsPerCall >= kPageFaultsPerCall) row.flags.push_back("page_faults");

  if (!config.check) {
    row.check = "off";
    return row;
  }
  // Every set's output came from timed iterations; all must be right, on every rank.
  std::string problem;
  for (long i = 0; i < written && problem.empty(); ++i) {
    const std::byte* out = buffers[static_cast<size_t>(i)].output;
    if (dev) {
      dev->download(staging, out, outBytes);
      out = staging;
    }
    if (auto bad = c.verify(out, shape, state.get(), me))
      problem = fmt::format("rank {}: {}", t.rank(), *bad);
  }
  double failed = problem.empty() ? 0 : 1;
  maxOverRanks(t, {&failed, 1});
  row.check = failed > 0 ? "fail" : "pass";
  std::vector<std::string> all = gatherToZero(t, problem);
  for (const std::string& x : all)
    if (!x.empty()) {
      row.checkDetail = x;
      break;
    }
  return row;
}

std::vector<ResultRow> runSweep(Transport& t, const std::vector<BenchCase>& cases,
                                const SweepConfig& config, Watchdog* watchdog,
                                const SweepHooks& hooks) {
  std::vector<ResultRow> rows;
  const size_t total = cases.size() * config.sizes.size();
  size_t done = 0;
  for (size_t bytes : config.sizes) {
    for (const BenchCase& c : cases) {
      ResultRow probe;
      probe.pattern = c.pattern;
      probe.algorithm = c.algorithm;
      probe.backend = std::string(t.backend());
      probe.ranks = t.size();
      probe.bytes = c.effectiveBytes(bytes, t.size(), config.type, config.pattern);
      probe.dtype = std::string(name(config.type));
      probe.op = std::string(name(config.op));
      probe.buffers = config.buffers;
      probe.scope = config.scope;
      if (c.own != nullptr && c.own->betweenPeers)
        probe.details["peers"] = {config.pattern.peerA, config.pattern.peerB};
      if (hooks.skipKeys.count(probe.key())) {
        ++done;
        continue;
      }
      if (hooks.onStart) hooks.onStart(done, total, c, bytes);
      // A vendor variant runs on its own communicator (the same ranks, its algorithm forced).
      ResultRow row = measurePoint(c.transport ? *c.transport : t, c, bytes, config, watchdog);
      if (c.variant)
        row.details["variant"] = {{"name", c.variant->name},
                                  {"id", c.variant->id},
                                  {"control", c.variant->control},
                                  {"rule", c.variant->rule}};
      if (hooks.onRow) hooks.onRow(row);
      rows.push_back(std::move(row));
      ++done;
    }
  }
  return rows;
}

}  // namespace hockney
