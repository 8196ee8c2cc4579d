// Projection: priced with the calibrated fits and the algorithms' own cost(), placed by the
// innermost-first rule, and refusing to invent numbers it has no fit for.
#include <gtest/gtest.h>

#include <algorithm>

#include "collectives/allreduce/allreduce.h"
#include "collectives/core/error.h"
#include "model/projection.h"

namespace hockney {
namespace {

// A hand-made calibration: ring all-reduce at α = 5 µs, β = 1/(10 GB/s) on "node" and
// 1/(1 GB/s) on "network"; pingpong the same per level.
nlohmann::json fit(const std::string& pattern, const std::string& algo, const std::string& level,
                   double alphaS, double betaS) {
  return {{"backend", "mpi"},
          {"pattern", pattern},
          {"algorithm", algo},
          {"level", level},
          {"black_box", false},
          {"ranks", {2, 4}},
          {"pieces",
           {{{"from_bytes", 0},
             {"to_bytes", nullptr},
             {"alpha_s", alphaS},
             {"alpha_us", alphaS * 1e6},
             {"beta_s_per_byte", betaS},
             {"bandwidth_gbps", 1e-9 / betaS}}}}};
}

CalibrationSet calibration() {
  CalibrationSet c;
  for (const char* level : {"node", "network"}) {
    const double beta = std::string(level) == "node" ? 1e-10 : 1e-9;
    c.fits.push_back(CalibratedFit::fromJson(fit("allreduce", "ring", level, 5e-6, beta), "test"));
    c.fits.push_back(
        CalibratedFit::fromJson(fit("sendrecv", "pingpong", level, 5e-6, beta), "test"));
  }
  return c;
}

TEST(Projection, PricesEachGroupAtItsLevelWithTheAlgorithmsCost) {
  TrainingOptions o;
  o.globalBatch = 1536;
  o.gpusPerNode = 8;
  nlohmann::json step = projectIteration(findModel("GPT-3 175B"), parseLayout("tp=8,pp=16,dp=8"), o,
                                         calibration(), "best")
                            .toJson();
  double sum = 0;
  for (const auto& item : step["items"]) {
    sum += item["time_per_step_ms"].get<double>();
    if (item["group"] == "TP") {
      EXPECT_EQ(item["level"], "node");  // 8 consecutive GPUs = one node
      // ring on 8 ranks: 14 rounds, 2·7·(n/8) bytes: 14·5 µs + 1.75·n / 10 GB/s
      const double n = 50331648;
      const double want = 14 * 5e-6 + 2 * 7 * (n / 8) * 1e-10;
      EXPECT_NEAR(item["time_per_call_us"].get<double>(), want * 1e6, 1e-6);
      EXPECT_NEAR(item["time_per_step_ms"].get<double>(), want * 4608 * 1e3, 1e-6);
      EXPECT_EQ(item["algorithm"], "ring");
    } else {
      EXPECT_EQ(item["level"], "network");  // pp and dp groups span nodes
    }
  }
  EXPECT_NEAR(step["total_ms"].get<double>(), sum, 1e-6);
  EXPECT_EQ(step["dominant_group"], "TP");
}

TEST(Projection, SaysWhereItExtrapolatesAndWhatGoesOnTheWire) {
  TrainingOptions o;
  o.globalBatch = 1536;
  CalibrationSet c;
  nlohmann::json ring = fit("allreduce", "ring", "node", 5e-6, 1e-10);
  ring["ranks"] = {2, 4};  // measured on up to 4 ranks, priced for TP groups of 8
  ring["quality_warnings"] = {"held-out p90 error 60% (over 50%)"};
  c.fits.push_back(CalibratedFit::fromJson(ring, "test"));
  for (const char* level : {"node", "network"})
    c.fits.push_back(CalibratedFit::fromJson(fit("sendrecv", "pingpong", level, 5e-6, 1e-9), "t"));
  nlohmann::json inter = fit("allreduce", "ring", "network", 5e-6, 1e-9);
  inter["ranks"] = {2, 4, 8, 16};
  c.fits.push_back(CalibratedFit::fromJson(inter, "test"));
  nlohmann::json step =
      projectIteration(findModel("GPT-3 175B"), parseLayout("tp=8,pp=16,dp=8"), o, c, "best")
          .toJson();
  bool sawTp = false;
  for (const auto& item : step["items"]) {
    if (item["group"] != "TP") continue;
    sawTp = true;
    EXPECT_TRUE(item["extrapolated"].get<bool>());
    // ring on 8 ranks sends 2·7/8 of its buffer
    EXPECT_NEAR(item["wire_bytes_per_gpu_per_step"].get<double>(),
                item["bytes_per_gpu_per_step"].get<double>() * 2 * 7 / 8, 1.0);
    EXPECT_EQ(item["fit_quality_warnings"].size(), 1u);
  }
  EXPECT_TRUE(sawTp);
  std::string notes = step["notes"].dump();
  EXPECT_NE(notes.find("measured at 4 ranks at most"), std::string::npos) << notes;
  EXPECT_NE(notes.find("flagged ring fit"), std::string::npos) << notes;
  // These fits record no sizes: nothing is said about size extrapolation.
  EXPECT_EQ(notes.find("measured up to"), std::string::npos) << notes;
}

TEST(Projection, SaysWhenASizeIsBeyondWhatTheFitMeasured) {
  TrainingOptions o;
  o.globalBatch = 1536;
  CalibrationSet c;
  for (const char* level : {"node", "network"}) {
    nlohmann::json ring = fit("allreduce", "ring", level, 5e-6, 1e-10);
    ring["sizes"] = {8, 1024, 1048576};  // up to 1 MiB; GPT-3's TP all-reduce is 48 MiB
    ring["dtype"] = "bfloat16";
    c.fits.push_back(CalibratedFit::fromJson(ring, "test"));
    nlohmann::json grads = ring;
    grads["dtype"] = "float32";
    c.fits.push_back(CalibratedFit::fromJson(grads, "test"));
    // Point-to-point measured in float32 prices bfloat16 activations without a note: sends
    // move bytes whatever their type.
    nlohmann::json pp = fit("sendrecv", "pingpong", level, 5e-6, 1e-9);
    pp["dtype"] = "float32";
    pp["sizes"] = {8, 67108864};
    c.fits.push_back(CalibratedFit::fromJson(pp, "test"));
  }
  nlohmann::json step =
      projectIteration(findModel("GPT-3 175B"), parseLayout("tp=8,pp=16,dp=8"), o, c, "best")
          .toJson();
  const std::string notes = step["notes"].dump();
  EXPECT_NE(notes.find("TP allreduce of 50.3 MB priced with a ring fit measured up to 1.05 MB"),
            std::string::npos)
      << notes;
  EXPECT_EQ(notes.find("PP sendrecv of"), std::string::npos) << notes;
  EXPECT_EQ(notes.find("another type's"), std::string::npos) << notes;
}

TEST(Projection, OrderChangesPlacement) {
  TrainingOptions o;
  o.globalBatch = 1536;
  Layout l = parseLayout("tp=8,pp=16,dp=8");
  l.order = parseOrder("pp,tp,dp");  // now pipeline neighbours are adjacent, TP strides 16
  nlohmann::json step =
      projectIteration(findModel("GPT-3 175B"), l, o, calibration(), "ring").toJson();
  for (const auto& item : step["items"]) {
    if (item["group"] == "TP") {
      EXPECT_EQ(item["level"], "network");
    }
  }
}

// A calibration of one level prices groups that cross another, and says so beside each number:
// what a single-host calibration used to do silently.
TEST(Projection, SaysBesideTheNumberWhenAnotherLevelsFitsPriceAGroup) {
  TrainingOptions o;
  o.globalBatch = 1536;
  Layout l = parseLayout("tp=8,pp=16,dp=8");
  CalibrationSet inHost;
  for (auto f : calibration().fits)
    if (f.level == LinkLevel::kNode) {
      f.level = LinkLevel::kNuma;  // what one VM's calibration records
      inHost.fits.push_back(f);
    }
  nlohmann::json step = projectIteration(findModel("GPT-3 175B"), l, o, inHost, "best").toJson();
  for (const auto& item : step["items"]) {
    EXPECT_EQ(item["calibration_level"], "numa");
    const std::string note = item["level_note"];
    if (item["level"] == "node")
      EXPECT_NE(note.find("priced with 'numa' fits (the widest in-host level measured)"),
                std::string::npos)
          << note;
    else
      EXPECT_NE(note.find("an in-host level, faster than the network the group crosses"),
                std::string::npos)
          << note;
  }
  EXPECT_NE(step["notes"].dump().find("DP allreduce: priced with 'numa' fits"), std::string::npos);
  // Exact levels need no note.
  step = projectIteration(findModel("GPT-3 175B"), l, o, calibration(), "best").toJson();
  for (const auto& item : step["items"]) EXPECT_EQ(item["level_note"], "") << item.dump();
  // Older calibrations' names are read as the levels they meant, once, when the fit is loaded.
  EXPECT_EQ(CalibratedFit::fromJson(fit("allreduce", "ring", "intra", 5e-6, 1e-10), "t").level,
            LinkLevel::kNode);
  EXPECT_EQ(CalibratedFit::fromJson(fit("allreduce", "ring", "inter", 5e-6, 1e-10), "t").level,
            LinkLevel::kNetwork);
  EXPECT_EQ(CalibratedFit::fromJson(fit("allreduce", "ring", "world", 5e-6, 1e-10), "t").level,
            LinkLevel::kUnrecorded);
  EXPECT_THROW(CalibratedFit::fromJson(fit("allreduce", "ring", "nvlink", 5e-6, 1e-10), "t"),
               UsageError);
  EXPECT_EQ(chooseLevel(LinkLevel::kNetwork, {LinkLevel::kNode, LinkLevel::kNetwork}).note, "");
  EXPECT_NE(chooseLevel(LinkLevel::kNetwork, {LinkLevel::kUnrecorded})
                .note.find("recorded no link level"),
            std::string::npos);
}

// Where a node holds several ranks of a group that spans nodes, the hierarchical all-reduce is
// priced from the in-host ring fit and the network's Rabenseifner fit, and wins when the network
// is the slow level.
TEST(Projection, PricesTheHierarchicalAllreduceFromBothLevels) {
  TrainingOptions o;
  o.globalBatch = 1536;
  o.gpusPerNode = 8;
  CalibrationSet c;
  c.fits.push_back(CalibratedFit::fromJson(fit("allreduce", "ring", "numa", 5e-6, 1e-10), "t"));
  c.fits.push_back(CalibratedFit::fromJson(fit("allreduce", "ring", "network", 5e-6, 1e-8), "t"));
  c.fits.push_back(
      CalibratedFit::fromJson(fit("allreduce", "rabenseifner", "network", 5e-6, 1e-8), "t"));
  for (const char* level : {"numa", "network"})
    c.fits.push_back(CalibratedFit::fromJson(fit("sendrecv", "pingpong", level, 5e-6, 1e-9), "t"));
  // dp=64 innermost: 8 DP ranks per node, 8 nodes.
  Layout l = parseLayout("tp=1,pp=1,dp=64");
  l.order = parseOrder("dp,tp,pp");
  nlohmann::json step = projectIteration(findModel("GPT-3 175B"), l, o, c, "best").toJson();
  bool saw = false;
  for (const auto& item : step["items"]) {
    if (item["group"] != "DP") continue;
    saw = true;
    EXPECT_EQ(item["level"], "network");
    EXPECT_EQ(item["ranks_per_node"], 8);
    EXPECT_EQ(item["algorithm"], "hierarchical") << item.dump();
    EXPECT_EQ(item["cost"]["network"]["fit"], "allreduce/rabenseifner at 'network'");
    EXPECT_EQ(item["cost"]["node"]["fit"], "allreduce/ring at 'numa'");
    // n/8 crosses the network: 2·7/8·n/8 β bytes there.
    const double n = item["bytes"];
    EXPECT_NEAR(item["cost"]["network"]["beta_bytes"].get<double>(), 2 * 7.0 / 8 * n / 8, 64);
  }
  EXPECT_TRUE(saw);
}

// An algorithm whose cost() replays every rank's schedule says how far it may be priced (a
// trait of its registry entry, not its name): the double binary tree stops at 64 ranks.
TEST(Projection, AnAlgorithmIsPricedOnlyUpToItsCostRankLimit) {
  EXPECT_EQ(findAlgorithm("allreduce", "double_binary_tree")->costRankLimit, 64);
  CalibrationSet c;
  for (const char* algo : {"double_binary_tree", "ring"})
    c.fits.push_back(CalibratedFit::fromJson(fit("allreduce", algo, "network", 5e-6, 1e-9), "t"));
  const std::string limitNote =
      "double_binary_tree not priced above 64 ranks (its cost replays the schedule)";
  auto said = [&](const std::vector<std::string>& notes) {
    return std::find(notes.begin(), notes.end(), limitNote) != notes.end();
  };
  std::vector<std::string> notes;
  CommItem small{"DP", "allreduce", "gradients", 64, 1 << 20, 1, DataType::kFloat32};
  PricedCall p = priceCall(small, LinkLevel::kNetwork, c, "best", notes);
  EXPECT_EQ(p.candidates.size(), 2u);
  EXPECT_FALSE(said(notes));
  CommItem large = small;
  large.ranks = 65;
  p = priceCall(large, LinkLevel::kNetwork, c, "best", notes);
  EXPECT_EQ(p.candidates, std::vector<std::string>{"ring"});
  EXPECT_TRUE(said(notes));
}

TEST(Projection, PricesPipelineSendsAsOneFOneBPassesOrSaysItUsedPingpong) {
  TrainingOptions o;
  o.globalBatch = 8;  // Megatron 8.3B at pp=2, dp=1: 8 micro-batches per pipeline
  const Layout l = parseLayout("tp=1,pp=2,dp=1");
  const double act = 1.0 * 1024 * 3072 * 2;  // b·s·h·ε
  auto ppItem = [](const nlohmann::json& step) {
    for (const auto& item : step["items"])
      if (item["group"] == "PP") return item;
    return nlohmann::json();
  };
  // A pipeline fit: a 1F1B pass of M micro-batches between two stages is M+1 rounds (the first
  // forward, M-1 paired exchanges, the last backward), each α + n·β; a message is the pass over
  // its 2·M messages.
  CalibrationSet c = calibration();
  c.fits.push_back(CalibratedFit::fromJson(fit("pipeline", "1f1b", "node", 5e-6, 1e-10), "t"));
  nlohmann::json step = projectIteration(findModel("megatron-8.3b"), l, o, c, "best").toJson();
  nlohmann::json pp = ppItem(step);
  ASSERT_FALSE(pp.is_null()) << step.dump();
  EXPECT_EQ(pp["pattern"], "pipeline");
  EXPECT_EQ(pp["algorithm"], "1f1b");
  EXPECT_EQ(pp["microbatches"], 8);
  EXPECT_EQ(pp["count"], 16);
  const double pass = 9 * (5e-6 + act * 1e-10);
  EXPECT_NEAR(pp["time_per_call_us"].get<double>(), pass / 16 * 1e6, 1e-6);
  EXPECT_NEAR(pp["time_per_step_ms"].get<double>(), pass * 1e3, 1e-6);
  EXPECT_NEAR(pp["bytes_per_gpu_per_step"].get<double>(), 16 * act, 1e-3);
  EXPECT_EQ(step["notes"].dump().find("ping-pong"), std::string::npos);
  // Without one: 2·M one-way ping-pong messages, and a note that says so.
  step = projectIteration(findModel("megatron-8.3b"), l, o, calibration(), "best").toJson();
  pp = ppItem(step);
  EXPECT_EQ(pp["algorithm"], "pingpong");
  EXPECT_NEAR(pp["time_per_call_us"].get<double>(), (5e-6 + act * 1e-10) * 1e6, 1e-6);
  EXPECT_NE(step["notes"].dump().find("PP priced as 16 one-way ping-pong messages"),
            std::string::npos)
      << step["notes"].dump();
}

TEST(Projection, MissingFitsAndBadPoliciesAreErrors) {
  TrainingOptions o;
  o.globalBatch = 1536;
  Layout l = parseLayout("tp=8,pp=16,dp=8");
  try {
    projectIteration(findModel("GPT-3 175B"), l, o, calibration(), "vendor").toJson();
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("no calibrated allreduce fit for vendor"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(projectIteration(findModel("GPT-3 175B"), l, o, calibration(), "fastest").toJson(),
               UsageError);
  // Sequence parallelism on a calibration with all-reduce fits only: each reduce-scatter and
  // all-gather is half the all-reduce of the same vector, said in a note.
  const StepCost whole = projectIteration(findModel("GPT-3 175B"), l, o, calibration(), "best");
  o.sequenceParallel = true;
  const StepCost halves = projectIteration(findModel("GPT-3 175B"), l, o, calibration(), "best");
  double allreduceS = 0;
  for (const PricedItem& i : whole.items)
    if (i.item.group == "TP") allreduceS = i.call.seconds;
  int halved = 0;
  for (const PricedItem& i : halves.items) {
    if (i.item.group != "TP") continue;
    EXPECT_EQ(i.call.algorithm, "allreduce-half");
    EXPECT_NEAR(i.call.seconds, allreduceS / 2, 1e-15);
    ++halved;
  }
  EXPECT_EQ(halved, 2);
  EXPECT_NEAR(halves.groups.at("TP").timeMs, whole.groups.at("TP").timeMs, 1e-9);
  bool said = false;
  for (const auto& n : halves.notes)
    said = said || n.find("priced as half the allreduce") != std::string::npos;
  EXPECT_TRUE(said);
}

}  // namespace
}  // namespace hockney
