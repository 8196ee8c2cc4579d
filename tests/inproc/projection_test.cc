// Projection: priced with the calibrated fits and the algorithms' own cost(), placed by the
// innermost-first rule, and refusing to invent numbers it has no fit for.
#include <gtest/gtest.h>

#include "collectives/allreduce/allreduce.h"
#include "collectives/core/error.h"
#include "model/projection.h"

namespace hockney {
namespace {

// A hand-made calibration: ring all-reduce at α = 5 µs, β = 1/(10 GB/s) on "intra" and
// 1/(1 GB/s) on "inter"; pingpong the same per level.
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
  for (const char* level : {"intra", "inter"}) {
    const double beta = std::string(level) == "intra" ? 1e-10 : 1e-9;
    c.fits.push_back(calibratedFitFromJson(fit("allreduce", "ring", level, 5e-6, beta), "test"));
    c.fits.push_back(calibratedFitFromJson(fit("sendrecv", "pingpong", level, 5e-6, beta), "test"));
  }
  return c;
}

TEST(Projection, PricesEachGroupAtItsLevelWithTheAlgorithmsCost) {
  TrainingOptions o;
  o.globalBatch = 1536;
  o.gpusPerNode = 8;
  nlohmann::json step = projectIteration(findModel("GPT-3 175B"), parseLayout("tp=8,pp=16,dp=8"), o,
                                         calibration(), "best");
  double sum = 0;
  for (const auto& item : step["items"]) {
    sum += item["time_per_step_ms"].get<double>();
    if (item["group"] == "TP") {
      EXPECT_EQ(item["level"], "intra");  // 8 consecutive GPUs = one node
      // ring on 8 ranks: 14 rounds, 2·7·(n/8) bytes: 14·5 µs + 1.75·n / 10 GB/s
      const double n = 50331648;
      const double want = 14 * 5e-6 + 2 * 7 * (n / 8) * 1e-10;
      EXPECT_NEAR(item["time_per_call_us"].get<double>(), want * 1e6, 1e-6);
      EXPECT_NEAR(item["time_per_step_ms"].get<double>(), want * 4608 * 1e3, 1e-6);
      EXPECT_EQ(item["algorithm"], "ring");
    } else {
      EXPECT_EQ(item["level"], "inter");  // pp and dp groups span nodes
    }
  }
  EXPECT_NEAR(step["total_ms"].get<double>(), sum, 1e-6);
  EXPECT_EQ(step["dominant_group"], "TP");
}

TEST(Projection, SaysWhereItExtrapolatesAndWhatGoesOnTheWire) {
  TrainingOptions o;
  o.globalBatch = 1536;
  CalibrationSet c;
  nlohmann::json ring = fit("allreduce", "ring", "intra", 5e-6, 1e-10);
  ring["ranks"] = {2, 4};  // measured on up to 4 ranks, priced for TP groups of 8
  ring["quality_warnings"] = {"held-out p90 error 60% (over 50%)"};
  c.fits.push_back(calibratedFitFromJson(ring, "test"));
  for (const char* level : {"intra", "inter"})
    c.fits.push_back(calibratedFitFromJson(fit("sendrecv", "pingpong", level, 5e-6, 1e-9), "t"));
  nlohmann::json inter = fit("allreduce", "ring", "inter", 5e-6, 1e-9);
  inter["ranks"] = {2, 4, 8, 16};
  c.fits.push_back(calibratedFitFromJson(inter, "test"));
  nlohmann::json step =
      projectIteration(findModel("GPT-3 175B"), parseLayout("tp=8,pp=16,dp=8"), o, c, "best");
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
  for (const char* level : {"intra", "inter"}) {
    nlohmann::json ring = fit("allreduce", "ring", level, 5e-6, 1e-10);
    ring["sizes"] = {8, 1024, 1048576};  // up to 1 MiB; GPT-3's TP all-reduce is 48 MiB
    ring["dtype"] = "bfloat16";
    c.fits.push_back(calibratedFitFromJson(ring, "test"));
    nlohmann::json grads = ring;
    grads["dtype"] = "float32";
    c.fits.push_back(calibratedFitFromJson(grads, "test"));
    // Point-to-point measured in float32 prices bfloat16 activations without a note: sends
    // move bytes whatever their type.
    nlohmann::json pp = fit("sendrecv", "pingpong", level, 5e-6, 1e-9);
    pp["dtype"] = "float32";
    pp["sizes"] = {8, 67108864};
    c.fits.push_back(calibratedFitFromJson(pp, "test"));
  }
  nlohmann::json step =
      projectIteration(findModel("GPT-3 175B"), parseLayout("tp=8,pp=16,dp=8"), o, c, "best");
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
  nlohmann::json step = projectIteration(findModel("GPT-3 175B"), l, o, calibration(), "ring");
  for (const auto& item : step["items"]) {
    if (item["group"] == "TP") {
      EXPECT_EQ(item["level"], "inter");
    }
  }
}

TEST(Projection, MissingFitsAndBadPoliciesAreErrors) {
  TrainingOptions o;
  o.globalBatch = 1536;
  Layout l = parseLayout("tp=8,pp=16,dp=8");
  try {
    projectIteration(findModel("GPT-3 175B"), l, o, calibration(), "vendor");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("no calibrated allreduce fit for vendor"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(projectIteration(findModel("GPT-3 175B"), l, o, calibration(), "fastest"),
               UsageError);
  CalibrationSet intraOnly;
  for (const auto& f : calibration().fits)
    if (f.level == "intra") intraOnly.fits.push_back(f);
  try {
    projectIteration(findModel("GPT-3 175B"), l, o, intraOnly, "best");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("no fits for level 'inter'"), std::string::npos)
        << e.what();
  }
  o.sequenceParallel = true;  // needs reduce_scatter/allgather fits the calibration lacks
  EXPECT_THROW(projectIteration(findModel("GPT-3 175B"), l, o, calibration(), "best"), UsageError);
}

}  // namespace
}  // namespace hockney
