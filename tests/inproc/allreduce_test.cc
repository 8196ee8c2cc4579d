// Every all-reduce algorithm on the in-process transport, p = 1..16, awkward counts, every type
// and op, against a serial reference (the inputs reduced one after another, in rank order). The
// data are exact in every type (microbench/validation.h), so the comparison is exact for floats
// too: tolerance 0.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "collectives/allreduce/allreduce.h"
#include "collectives/core/reduce.h"
#include "collectives/transport/inproc.h"
#include "microbench/validation.h"

namespace hockney {
namespace {

std::vector<size_t> countsFor(int p) {
  auto up = static_cast<size_t>(p);
  return {0, 1, up > 1 ? up - 1 : 1, up, up + 1, 1009};
}

// Placements (the node of each rank) an algorithm is run under: none for one-level algorithms;
// for hierarchical ones p split into m >= 2 nodes of g ranks (g the largest divisor of p up to
// p/2, so g = 1 for primes), blocked (ranks 0..g-1 on node 0) and interleaved (rank r on node
// r mod m). cost_test.cc runs every split on the counting transport.
std::vector<std::vector<int>> placementsFor(const Algorithm& algo, int p) {
  if (algo.unavailable == nullptr) return {{}};
  std::vector<std::vector<int>> out;
  for (int g = p / 2; g >= 1 && out.empty(); --g) {
    if (p % g != 0) continue;
    std::vector<int> blocked, interleaved;
    for (int r = 0; r < p; ++r) {
      blocked.push_back(r / g);
      interleaved.push_back(r % (p / g));
    }
    out.push_back(blocked);
    if (interleaved != blocked) out.push_back(interleaved);
  }
  return out;
}

void checkAlgorithm(const Algorithm& algo, int p, size_t count, DataType type, ReduceOp op,
                    size_t chunkBytes, const std::vector<int>& placement = {}) {
  const size_t es = elementSize(type);
  std::vector<std::vector<std::byte>> inputs(static_cast<size_t>(p)), outputs(inputs.size());
  std::vector<std::byte> reference(count * es + 1);  // +1: memcpy of 0 bytes needs a pointer
  for (int r = 0; r < p; ++r) {
    auto& in = inputs[static_cast<size_t>(r)];
    in.resize(count * es + 1);  // +1: never a zero-size vector's null data()
    fillInput(in.data(), count, type, op, r);
    outputs[static_cast<size_t>(r)].resize(count * es + 1);
    poison(outputs[static_cast<size_t>(r)].data(), count, type);
    if (r == 0)
      std::memcpy(reference.data(), in.data(), count * es);
    else
      hostReduce(reference.data(), in.data(), count, type, op);
  }
  std::vector<std::vector<std::byte>> before = inputs;
  AllreduceShape shape{count, type, op, chunkBytes};
  CallShape call = allreduceCall(p, shape);
  if (!placement.empty()) call.nodeOfRank = &placement;
  if (algo.unavailable) {
    ASSERT_FALSE(algo.unavailable(call)) << algo.name << " p=" << p;
  }
  runInproc(p, [&](Transport& t) {
    auto r = static_cast<size_t>(t.rank());
    std::vector<std::byte> scratch(algo.scratch(call, t.rank()) + 1);
    algo.run(t, call, CallBuffers{inputs[r].data(), outputs[r].data(), scratch.data()});
  });
  for (int r = 0; r < p; ++r) {
    const auto& out = outputs[static_cast<size_t>(r)];
    ASSERT_EQ(std::memcmp(out.data(), reference.data(), count * es), 0)
        << algo.name << " p=" << p << " count=" << count << " " << name(type) << " " << name(op)
        << " rank " << r << ": " << checkReduced(out.data(), count, type, op, p).value_or("");
    ASSERT_FALSE(checkReduced(out.data(), count, type, op, p).has_value());
    ASSERT_EQ(inputs[static_cast<size_t>(r)], before[static_cast<size_t>(r)])
        << algo.name << " changed its input";
  }
}

class AllreduceInproc : public ::testing::TestWithParam<std::string_view> {};

TEST_P(AllreduceInproc, MatchesSerialReferenceForAllRankCountsCountsTypesAndOps) {
  const Algorithm* algo = findAlgorithm("allreduce", GetParam());
  ASSERT_NE(algo, nullptr);
  for (int p = 1; p <= 16; ++p)
    for (const auto& placement : placementsFor(*algo, p))
      for (size_t count : countsFor(p))
        for (DataType type : kAllDataTypes)
          for (ReduceOp op : kAllReduceOps)
            checkAlgorithm(*algo, p, count, type, op, /*chunkBytes=*/64, placement);
}

TEST_P(AllreduceInproc, LargeVectorEveryRankCount) {
  const Algorithm* algo = findAlgorithm("allreduce", GetParam());
  for (int p = 1; p <= 16; ++p)
    for (const auto& placement : placementsFor(*algo, p))
      checkAlgorithm(*algo, p, size_t{1} << 16, DataType::kFloat32, ReduceOp::kSum, 16384,
                     placement);
  for (const auto& placement : placementsFor(*algo, 6))
    for (DataType type : kAllDataTypes)
      for (ReduceOp op : kAllReduceOps)
        checkAlgorithm(*algo, 6, size_t{1} << 16, type, op, kDefaultChunkBytes, placement);
}

TEST(HierarchicalAllreduce, RefusesPlacementsItCannotUse) {
  const Algorithm* h = findAlgorithm("allreduce", "hierarchical");
  ASSERT_NE(h, nullptr);
  AllreduceShape shape{64, DataType::kFloat32, ReduceOp::kSum, kDefaultChunkBytes};
  CallShape call = allreduceCall(4, shape);
  EXPECT_EQ(h->unavailable(call).value_or(""),
            "needs the job's placement (which ranks share a host)");
  const std::vector<int> oneHost{0, 0, 0, 0}, uneven{0, 0, 0, 1}, even{0, 0, 1, 1};
  call.nodeOfRank = &oneHost;
  EXPECT_EQ(h->unavailable(call).value_or(""),
            "all 4 ranks are on one host; it needs more than one");
  call.nodeOfRank = &uneven;
  EXPECT_NE(h->unavailable(call).value_or("").find("unequal numbers of ranks (3 and 1)"),
            std::string::npos);
  call.nodeOfRank = &even;
  EXPECT_FALSE(h->unavailable(call));
}

std::vector<std::string_view> allNames() {
  std::vector<std::string_view> names;
  for (const auto& a : allreducePattern().algorithms) names.push_back(a.name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Algorithms, AllreduceInproc, ::testing::ValuesIn(allNames()),
                         [](const auto& param) { return std::string(param.param); });

}  // namespace
}  // namespace hockney
