// The harness's device path without a GPU. A transport whose "device memory" is host memory
// stored scrambled (every byte XOR a key) stands in for the NCCL transport: transfers and copies
// move scrambled bytes unchanged, reductions unscramble, reduce and scramble back. Data the
// harness writes or checks without uploading or downloading, or an algorithm reading its buffers
// on the host, comes out wrong and fails validation; a buffer outside device memory handed to a
// transfer, reduction or copy throws. So a pass here means every own algorithm runs unchanged on
// a device transport and the harness stages its data across as it must.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <set>

#include "collectives/core/error.h"
#include "collectives/core/reduce.h"
#include "collectives/transport/inproc.h"
#include "microbench/cases.h"
#include "microbench/job.h"
#include "microbench/sweep.h"

namespace hockney {
namespace {

constexpr std::byte kKey{0x5a};

class ScrambledDevice : public Device {
 public:
  explicit ScrambledDevice(bool honestUpload = true) : honestUpload_(honestUpload) {}
  ~ScrambledDevice() override {
    for (auto& [p, n] : blocks_) delete[] p;
  }
  void* allocate(size_t bytes) override {
    auto* p = new std::byte[bytes + 1];
    std::memset(p, static_cast<int>(kKey), bytes + 1);  // zero, scrambled
    blocks_[p] = bytes + 1;
    return p;
  }
  void release(void* p) noexcept override {
    auto* b = static_cast<std::byte*>(p);
    blocks_.erase(b);
    delete[] b;
  }
  void upload(void* dst, const void* src, size_t bytes) override {
    requireDevice(dst, bytes, "upload");
    ++uploads;
    if (!honestUpload_) return std::memcpy(dst, src, bytes), void();
    for (size_t i = 0; i < bytes; ++i)
      static_cast<std::byte*>(dst)[i] = static_cast<const std::byte*>(src)[i] ^ kKey;
  }
  void download(void* dst, const void* src, size_t bytes) override {
    requireDevice(src, bytes, "download");
    ++downloads;
    for (size_t i = 0; i < bytes; ++i)
      static_cast<std::byte*>(dst)[i] = static_cast<const std::byte*>(src)[i] ^ kKey;
  }
  size_t freeBytes() override { return size_t{1} << 30; }
  void timerStart() override {
    ++timed;
    start_ = std::chrono::steady_clock::now();
  }
  double timerStop() override {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  void capture(const std::function<void()>& calls) override {
    ++captures;
    captured_ = calls;  // what a CUDA graph records; the harness keeps its state alive
  }
  void replay() override {
    ++replays;
    captured_();
  }
  std::vector<std::pair<std::string, std::string>> facts() const override {
    return {{"gpu", "scrambled host memory"}, {"pci_bus_id", busId}, {"nccl", "2.99.0"}};
  }
  std::string busId = "00000000:18:00.0";

  void requireDevice(const void* p, size_t bytes, const char* what) const {
    if (bytes == 0) return;
    auto* b = static_cast<const std::byte*>(p);
    auto it = blocks_.upper_bound(const_cast<std::byte*>(b));
    HOCKNEY_CHECK(it != blocks_.begin(), "{}: {} bytes at {} are not device memory", what, bytes,
                  p);
    --it;
    HOCKNEY_CHECK(b + bytes <= it->first + it->second, "{}: {} bytes at {} run past device memory",
                  what, bytes, p);
  }

  long uploads = 0, downloads = 0, timed = 0, captures = 0, replays = 0;

 private:
  bool honestUpload_;
  std::map<std::byte*, size_t> blocks_;
  std::function<void()> captured_;
  std::chrono::steady_clock::time_point start_;
};

class ScrambledTransport : public Transport {
 public:
  ScrambledTransport(InprocTransport& inner, ScrambledDevice& device)
      : inner_(inner), device_(device) {}
  int rank() const override { return inner_.rank(); }
  int size() const override { return inner_.size(); }
  std::string_view backend() const override { return "scrambled"; }
  // As NCCL matches them: no tags, a pair's messages in the order both sides post them, which
  // the NCCL transport makes (peer, tag) order within a step. An algorithm relying on tags to
  // keep interleaved streams apart would receive the wrong message here.
  StepHandle start(std::span<const Send> sends, std::span<const Recv> recvs) override {
    sends_.assign(sends.begin(), sends.end());
    recvs_.assign(recvs.begin(), recvs.end());
    const auto order = [](const auto& a, const auto& b) {
      return a.peer != b.peer ? a.peer < b.peer : a.tag < b.tag;
    };
    std::stable_sort(sends_.begin(), sends_.end(), order);
    std::stable_sort(recvs_.begin(), recvs_.end(), order);
    for (Send& s : sends_)
      if (s.tag != kControlTag) {
        device_.requireDevice(s.data, s.bytes, "send");
        s.tag = 0;
      }
    for (Recv& r : recvs_)
      if (r.tag != kControlTag) {
        device_.requireDevice(r.data, r.bytes, "recv");
        r.tag = 0;
      }
    return inner_.start(sends_, recvs_);
  }
  void wait(StepHandle& step) override { inner_.wait(step); }
  void reduce(void* dst, const void* src, size_t count, DataType type, ReduceOp op) override {
    const size_t bytes = count * elementSize(type);
    device_.requireDevice(dst, bytes, "reduce");
    device_.requireDevice(src, bytes, "reduce");
    std::vector<std::byte> a(bytes), b(bytes);
    device_.download(a.data(), dst, bytes);
    device_.download(b.data(), src, bytes);
    hostReduce(a.data(), b.data(), count, type, op);
    for (size_t i = 0; i < bytes; ++i) static_cast<std::byte*>(dst)[i] = a[i] ^ kKey;
  }
  void copy(void* dst, const void* src, size_t bytes) override {
    device_.requireDevice(dst, bytes, "copy");
    device_.requireDevice(src, bytes, "copy");
    inner_.copy(dst, src, bytes);
  }
  void barrier() override { inner_.barrier(); }
  Device* device() override { return &device_; }

 private:
  InprocTransport& inner_;
  ScrambledDevice& device_;
  std::vector<Send> sends_;
  std::vector<Recv> recvs_;
};

SweepConfig config(bool graph, std::string buffers = "hot") {
  SweepConfig c;
  c.sizes = {4096, 65536 + 96};
  c.iterations = 2;
  c.batch = 2;
  c.warmup = 1;
  c.cudaGraph = graph;
  c.buffers = std::move(buffers);
  c.bufferSets = c.buffers == "cold" ? 3 : 0;
  return c;
}

// Every own algorithm of every pattern on 4 ranks, placed as 2 hosts × 2 so the hierarchical
// ones run too; returns rank 0's rows and the device counters of rank 0.
std::vector<ResultRow> runAll(const SweepConfig& base, ScrambledDevice* rankZeroDevice = nullptr,
                              bool honestUpload = true) {
  std::vector<ResultRow> rows;
  std::mutex mutex;
  for (const std::string& pattern : patternNames()) {
    SweepConfig c = base;
    c.nodeOfRank = {0, 0, 1, 1};
    std::vector<BenchCase> cases;
    for (BenchCase& k : casesFor(pattern))
      if (!k.vendor() && !k.unavailable(c.pattern, 4, &c.nodeOfRank)) cases.push_back(k);
    runInprocWith(4, [&](InprocTransport& inner) {
      ScrambledDevice device(honestUpload);
      ScrambledTransport t(inner, device);
      auto mine = runSweep(t, cases, c, nullptr, {});
      std::lock_guard lock(mutex);
      if (t.rank() != 0) return;
      rows.insert(rows.end(), mine.begin(), mine.end());
      if (rankZeroDevice) {
        rankZeroDevice->uploads += device.uploads;
        rankZeroDevice->downloads += device.downloads;
        rankZeroDevice->timed += device.timed;
        rankZeroDevice->captures += device.captures;
        rankZeroDevice->replays += device.replays;
      }
    });
  }
  return rows;
}

TEST(DevicePath, EveryOwnAlgorithmPassesOnDeviceMemory) {
  ScrambledDevice counters;
  const auto rows = runAll(config(false), &counters);
  ASSERT_GE(rows.size(), 2 * patternNames().size());
  std::set<std::string> patterns;
  for (const ResultRow& r : rows) {
    EXPECT_EQ(r.check, "pass") << r.pattern << "/" << r.algorithm << " " << r.bytes << ": "
                               << r.checkDetail;
    EXPECT_EQ(r.backend, "scrambled");
    EXPECT_EQ(r.details.value("timer", ""), "device events");
    patterns.insert(r.pattern);
  }
  EXPECT_EQ(patterns.size(), patternNames().size());
  EXPECT_GT(counters.uploads, 0);
  EXPECT_GT(counters.downloads, 0);
  EXPECT_GT(counters.timed, 0);
  EXPECT_EQ(counters.captures, 0);
}

TEST(DevicePath, GraphCaptureReplaysTheCallsAndColdSetsAreChecked) {
  ScrambledDevice counters;
  for (const ResultRow& r : runAll(config(true, "cold"), &counters)) {
    EXPECT_EQ(r.check, "pass") << r.pattern << "/" << r.algorithm << " " << r.bytes << ": "
                               << r.checkDetail;
    EXPECT_EQ(r.bufferSets, 3);
    EXPECT_EQ(r.details.value("timer", ""), "device events, CUDA graph of the calls");
  }
  // Warm-up samples of one call and timed samples of two: two captures per point, one replay
  // per sample.
  EXPECT_GT(counters.captures, 0);
  EXPECT_GT(counters.replays, counters.captures);
}

TEST(DevicePath, DataWrittenWithoutStagingFailsTheCheck) {
  // An upload that skips the device's representation: the algorithms then compute on garbage,
  // and the checks, reading back through download, must say so.
  SweepConfig c = config(false);
  c.sizes = {4096};
  std::vector<ResultRow> rows;
  std::mutex mutex;
  std::vector<BenchCase> cases = selectCases("allreduce", {"ring"});
  runInprocWith(4, [&](InprocTransport& inner) {
    ScrambledDevice device(/*honestUpload=*/false);
    ScrambledTransport t(inner, device);
    auto mine = runSweep(t, cases, c, nullptr, {});
    std::lock_guard lock(mutex);
    if (t.rank() == 0) rows = mine;
  });
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].check, "fail");
}

TEST(DevicePath, HostBuffersHandedToADeviceTransportThrow) {
  EXPECT_THROW(runInprocWith(2,
                             [&](InprocTransport& inner) {
                               ScrambledDevice device;
                               ScrambledTransport t(inner, device);
                               std::vector<float> host(16);
                               t.copy(host.data(), host.data() + 8, 8 * sizeof(float));
                             }),
               Error);
}

// The report's device block: every rank's facts, rank 0's versions and environment, and rank
// pairs on one host counted by the link between their GPUs (bus ids matched in hwloc's form).
TEST(DevicePath, ProvenanceRecordsEachRanksDeviceAndTheGpuLinksBetweenThem) {
  Topology topo;
  HostTopology h;
  h.hostname = "g";
  for (const char* bus : {"0000:18:00.0", "0000:19:00.0", "0000:86:00.0"}) {
    Gpu g;
    g.pciBusId = bus;
    g.vendor = "nvidia";
    g.pciPath = {"host:0000:16", "bridge:0000:16:00.0"};
    g.package = 0;
    h.gpus.push_back(g);
  }
  h.gpus[2].pciPath = {"host:0000:85"};
  h.gpus[2].package = 1;
  topo.hosts = {h};
  topo.ranks = {{0, {}}, {0, {}}, {0, {}}};
  setenv("NCCL_DEBUG", "WARN", 1);
  nlohmann::json out;
  runInprocWith(3, [&](InprocTransport& inner) {
    ScrambledDevice device;
    device.busId = inner.rank() == 0   ? "00000000:18:00.0"
                   : inner.rank() == 1 ? "00000000:19:00.0"
                                       : "00000000:86:00.0";
    ScrambledTransport t(inner, device);
    nlohmann::json mine = deviceProvenance(t, &device, topo);
    if (t.rank() == 0) out = mine;
  });
  unsetenv("NCCL_DEBUG");
  ASSERT_TRUE(out.is_object());
  EXPECT_EQ(out["backend"], "nccl");
  EXPECT_EQ(out["nccl"], "2.99.0");
  EXPECT_EQ(out["environment"]["NCCL_DEBUG"], "WARN");
  ASSERT_EQ(out["ranks"].size(), 3u);
  EXPECT_EQ(out["ranks"][2]["pci_bus_id"], "00000000:86:00.0");
  EXPECT_FALSE(out["ranks"][1].contains("environment"));  // the same as rank 0's
  EXPECT_EQ(out["gpu_link_pairs"], (nlohmann::json{{"pcie_switch", 1}, {"system", 2}}));
}

}  // namespace
}  // namespace hockney
