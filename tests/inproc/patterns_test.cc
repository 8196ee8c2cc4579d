// Every own case of the training-traffic patterns through the harness on in-process ranks
// (validated against the closed form, every rank agreeing), and each case's cost() against the
// counting transport running the same case.
#include <gtest/gtest.h>

#include <set>

#include <mutex>

#include "collectives/core/error.h"
#include "collectives/pipeline/pipeline.h"
#include "collectives/transport/counting.h"
#include "collectives/transport/inproc.h"
#include "microbench/cases.h"
#include "microbench/host_buffer.h"
#include "microbench/moe_routing.h"
#include "microbench/sweep.h"
#include "microbench/validation.h"

namespace hockney {
namespace {

struct Variant {
  std::string pattern;
  std::vector<int> ranks;
  PatternOptions options;
  std::string label;
};

std::vector<Variant> variants() {
  std::vector<Variant> v;
  auto add = [&](std::string pattern, std::vector<int> ranks, PatternOptions o, std::string label) {
    v.push_back({std::move(pattern), std::move(ranks), std::move(o), std::move(label)});
  };
  PatternOptions d;
  add("reduce_scatter", {1, 2, 3, 5, 8}, d, "");
  add("allgather", {1, 2, 3, 5, 8}, d, "");
  PatternOptions root = d;
  root.root = 2;
  add("bcast", {3, 5, 8}, root, "root 2");
  add("reduce", {3, 5, 8}, root, "root 2");
  add("alltoall", {1, 2, 3, 5, 8}, d, "uniform");
  PatternOptions topk = d;
  topk.routing = "topk";
  topk.experts = 8;
  topk.topK = 2;
  topk.zipfS = 1.2;
  topk.hidden = 16;
  add("alltoall", {2, 3, 4, 5}, topk, "topk zipf 1.2");
  add("sendrecv", {2, 3, 5}, d, "");
  PatternOptions peers = d;
  peers.peerA = 2;
  peers.peerB = 0;
  add("sendrecv", {3, 4}, peers, "peers 2,0");
  for (const char* placement : {"dedicated", "colocated"})
    for (int servers : {2, 3}) {
      PatternOptions ps = d;
      ps.placement = placement;
      ps.servers = servers;
      add("ps", {4, 5, 7}, ps, fmt::format("{} servers {}", placement, servers));
    }
  for (int stages : {0, 2, 3}) {
    PatternOptions pipe = d;
    pipe.stages = stages;
    pipe.microbatches = 5;
    add("pipeline", {3, 4, 6}, pipe, fmt::format("stages {}", stages));
  }
  return v;
}

Cost counted(const BenchCase& c, const CaseShape& point) {
  return countCost(point.ranks, [&](Transport& t) {
    CaseShape shape = point;
    auto state = c.prepare ? c.prepare(shape, t.rank()) : nullptr;
    HostBuffer in(c.inputBytes(shape, state.get(), t.rank()));
    HostBuffer out(c.outputBytes(shape, state.get(), t.rank()));
    HostBuffer scratch(c.scratchBytes(shape, state.get(), t.rank()));
    c.init(in.data(), shape, state.get(), t.rank());
    double phases[4] = {};
    c.run(t, shape, CaseBuffers{in.data(), out.data(), scratch.data(), state.get(), phases});
  });
}

TEST(Patterns, EveryOwnCaseValidatesAndMatchesItsCost) {
  for (const Variant& v : variants()) {
    for (int p : v.ranks) {
      checkPatternOptions(v.pattern, v.options, p);
      for (const BenchCase& c : casesFor(v.pattern)) {
        if (c.vendor()) continue;
        if (c.unavailable(v.options, p)) continue;
        for (size_t requested : {size_t{0}, size_t{4}, size_t{1004}, size_t{12800}}) {
          SweepConfig config;
          config.sizes = {requested};
          config.iterations = 2;
          config.warmup = 1;
          config.batch = 1;
          config.pattern = v.options;
          std::mutex mutex;
          std::vector<ResultRow> rows;
          runInproc(p, [&](Transport& t) {
            ResultRow row = measurePoint(t, c, requested, config, nullptr);
            std::lock_guard lock(mutex);
            rows.push_back(row);
          });
          const std::string where = fmt::format("{}/{} {} p={} requested={}", v.pattern,
                                                c.algorithm, v.label, p, requested);
          ASSERT_EQ(rows.size(), static_cast<size_t>(p));
          for (const auto& row : rows)
            ASSERT_EQ(row.check, "pass") << where << ": " << row.checkDetail;
          CaseShape shape;
          shape.ranks = p;
          shape.requestedBytes = requested;
          shape.bytes = c.effectiveBytes(requested, p, DataType::kFloat32, v.options);
          shape.count = shape.bytes / 4;
          shape.setOptions(&v.options);
          auto state = c.prepare ? c.prepare(shape, 0) : nullptr;
          // cost() describes the reported time, which is the call's time × timeScale (pingpong
          // reports one way of its round trip).
          Cost call = counted(c, shape);
          Cost reported{call.alphaCount * c.timeScale(), call.betaBytes * c.timeScale(),
                        call.gammaBytes * c.timeScale()};
          ASSERT_EQ(reported, c.cost(shape, state.get()).value()) << where;
        }
      }
    }
  }
}

TEST(Patterns, PipelineStepsNameTheirDirection) {
  // An interior stage of a 3-stage gpipe moves activations forward and gradients back in
  // separate steps; 1F1B pairs them in its steady state.
  for (bool oneFOneB : {false, true}) {
    Schedule plan = pipelinePlan(PipelineLayout{3, 4, oneFOneB, 0}, 3, 1, 16);
    std::set<int> phases;
    for (const ScheduleStep& st : plan)
      if (!st.sends.empty() || !st.recvs.empty()) phases.insert(st.phase);
    EXPECT_TRUE(phases.count(kPipelineForward)) << oneFOneB;
    if (oneFOneB)
      EXPECT_TRUE(phases.count(kPipelinePaired));
    else
      EXPECT_EQ(phases, (std::set<int>{kPipelineForward, kPipelineBackward}));
  }
}

TEST(Patterns, ImpossibleLayoutsAreClearErrors) {
  PatternOptions o;
  o.stages = 5;
  EXPECT_THROW(checkPatternOptions("pipeline", o, 4), UsageError);
  o = PatternOptions{};
  o.servers = 0;
  EXPECT_THROW(checkPatternOptions("ps", o, 4), UsageError);
  o.servers = 4;
  EXPECT_THROW(checkPatternOptions("ps", o, 4), UsageError);  // dedicated: no worker left
  o.placement = "colocated";
  EXPECT_NO_THROW(checkPatternOptions("ps", o, 4));
  o = PatternOptions{};
  o.routing = "topk";
  o.experts = 4;
  o.topK = 5;
  try {
    checkPatternOptions("alltoall", o, 4);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "--top-k 5 is more than the 4 experts");
  }
  o = PatternOptions{};
  o.peerA = o.peerB = 1;
  EXPECT_THROW(checkPatternOptions("sendrecv", o, 4), UsageError);
  EXPECT_THROW(checkPatternOptions("sendrecv", PatternOptions{}, 1), UsageError);
  o = PatternOptions{};
  o.root = 4;
  EXPECT_THROW(checkPatternOptions("bcast", o, 4), UsageError);
}

TEST(Patterns, TopKRoutingIsSkewedAndCapacityLimited) {
  PatternOptions o;
  o.routing = "topk";
  o.experts = 8;
  o.topK = 2;
  o.hidden = 4;
  o.capacityFactor = 1.0;
  o.zipfS = 2.0;
  CaseShape shape;
  shape.ranks = 4;
  shape.bytes = 4 * 4 * 1000;  // 1000 tokens of 4 floats per rank
  shape.count = shape.bytes / 4;
  shape.setOptions(&o);
  BenchCase pairwise = casesFor("alltoall").front();
  auto state = pairwise.prepare(shape, 0);
  nlohmann::json d = pairwise.details(shape, state.get());
  EXPECT_EQ(d["tokens_per_rank"], 1000);
  EXPECT_EQ(d["capacity_per_expert"], 250);          // 1.0 × 1000 × 2 / 8
  EXPECT_GT(d["dropped_tokens"].get<size_t>(), 0u);  // the hot expert overflows
  EXPECT_GT(d["imbalance"].get<double>(), 1.0);
  o.zipfS = 0;
  o.capacityFactor = 100;
  auto flat = pairwise.prepare(shape, 0);
  nlohmann::json f = pairwise.details(shape, flat.get());
  EXPECT_EQ(f["dropped_tokens"], 0);
  EXPECT_LT(f["imbalance"].get<double>(), d["imbalance"].get<double>());
}

// Every token to every expert under a steep skew: the draw of k distinct experts ends (drawing
// again until k distinct came up never did) and sends each expert exactly one copy per token.
TEST(Patterns, TopKRoutingDrawsDistinctExpertsWhateverTheSkew) {
  PatternOptions o;
  o.routing = "topk";
  o.experts = 64;
  o.topK = 64;
  o.hidden = 1;
  o.capacityFactor = 64;
  o.zipfS = 200;  // the weights of experts past the 35th underflow to 0
  const RoutingResult r = routeTokens(o, 4, 100 * 4, DataType::kFloat32);
  EXPECT_EQ(r.tokensPerRank, 100u);
  EXPECT_EQ(r.droppedTokens, 0u);
  for (const auto& row : r.bytes)
    for (size_t b : row) EXPECT_EQ(b, 100u * 16 * 4);  // 16 experts per rank, 4-byte tokens
  // k = 1 follows the Zipf popularity: the hottest expert takes about 1/H(8, 1) of the tokens.
  o.topK = 1;
  o.experts = 8;
  o.zipfS = 1;
  o.capacityFactor = 8;
  const RoutingResult z = routeTokens(o, 8, 20000 * 4, DataType::kFloat32);
  size_t hottest = 0;
  for (size_t dst = 0; dst < 8; ++dst) hottest = std::max(hottest, z.bytes[0][dst] / 4);
  const double harmonic = 1 + 1.0 / 2 + 1.0 / 3 + 1.0 / 4 + 1.0 / 5 + 1.0 / 6 + 1.0 / 7 + 1.0 / 8;
  EXPECT_NEAR(static_cast<double>(hottest) / 20000, 1 / harmonic, 0.02);
}

}  // namespace
}  // namespace hockney
