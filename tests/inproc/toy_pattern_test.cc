// A pattern added with no edit outside this file: its registry entry (what it is) and its
// harness (test data and check) are registered here, and then every layer works with it as with
// a built-in one — `hockney list`'s listing, the harness on in-process ranks (validated, and a
// wrong result caught), `hockney fit` on its rows, and projection's priceCall. The facts every
// layer used to restate as string tests (reduces, block unit, bus factor, reference algorithm,
// point-to-point, vendor calls) come from the registry; reduce's are checked where they are used.
#include <gtest/gtest.h>

#include <mutex>

#include "collectives/core/error.h"
#include "collectives/transport/inproc.h"
#include "microbench/block_data.h"
#include "microbench/calibrate_setup.h"
#include "microbench/cases.h"
#include "microbench/sweep.h"
#include "microbench/validation.h"
#include "model/calibration.h"
#include "model/projection.h"
#include "reports/import.h"

namespace hockney {
namespace {

// toy_shift: every rank passes its vector to the next rank (one step, any p).
void shiftRun(Transport& t, const CallShape& s, const CallBuffers& b) {
  const int p = t.size(), me = t.rank();
  t.sendRecv((me + 1) % p, b.input, s.bytes(), (me + p - 1) % p, b.output, s.bytes());
}

Cost shiftCost(const CallShape& s) {
  return Cost{1, static_cast<double>(s.bytes()), 0};
}

constexpr std::array kToyAlgorithms{
    Algorithm{"toy_shift", "shift", "each rank sends its vector to the next", shiftRun, shiftCost,
              noScratch},
};

const Pattern& toyPattern() {
  static const Pattern kToy{"toy_shift",    "each rank ends with the previous rank's vector",
                            wholeVector,    wholeVector,
                            noCheck,        {},
                            kToyAlgorithms, {.reference = "shift", .vendors = {}}};
  return kToy;
}

// The check reads the neighbour it expects: `from` ranks back.
template <int From>
void describeToy(BenchCase& c) {
  c.init = [](void* in, const CaseShape& s, const void*, int rank) {
    fillInput(in, s.count, s.type, ReduceOp::kSum, rank);
  };
  c.verify = [](const void* out, const CaseShape& s, const void*, int rank) {
    return checkInputSlice(out, s.count, s.type, (rank + s.ranks - From) % s.ranks, 0,
                           "shifted vector");
  };
}

void registerToyOnce() {
  static const bool done = [] {
    registerPattern(toyPattern());
    static const PatternHarness kHarness{.pattern = "toy_shift", .describe = describeToy<1>};
    registerHarness(kHarness);
    return true;
  }();
  (void)done;
}

std::vector<ResultRow> measureToy(int p, const std::vector<BenchCase>& cases) {
  SweepConfig config;
  config.sizes = {4, 4096, 65536 + 4};
  config.iterations = 3;
  config.warmup = 1;
  std::mutex mutex;
  std::vector<ResultRow> rows;
  runInproc(p, [&](Transport& t) {
    auto mine = runSweep(t, cases, config, nullptr, {});
    std::lock_guard lock(mutex);
    if (t.rank() == 0) rows = mine;
  });
  return rows;
}

TEST(ToyPattern, ListedRunValidatedFittedAndPricedWithNoEditOutsideThisTest) {
  registerToyOnce();
  // Listed by the function `hockney list` prints.
  const std::string listing = describePatterns();
  EXPECT_NE(listing.find("toy_shift  (each rank ends with the previous rank's vector)"),
            std::string::npos)
      << listing;
  EXPECT_NE(listing.find("  shift "), std::string::npos);

  // Runs and validates on in-process ranks; no vendor case (the registry names none).
  const std::vector<BenchCase> cases = casesFor("toy_shift");
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].algorithm, "shift");
  EXPECT_EQ(cases[0].busFactor(4), 1.0);
  std::vector<ResultRow> rows = measureToy(3, cases);
  ASSERT_EQ(rows.size(), 3u);
  for (const ResultRow& r : rows) {
    EXPECT_EQ(r.check, "pass") << r.bytes << ": " << r.checkDetail;
    ASSERT_TRUE(r.cost.has_value());
    EXPECT_EQ(r.cost->betaBytes, static_cast<double>(r.bytes));
  }
  // The check can fail: the same pattern checked against the wrong neighbour.
  std::vector<BenchCase> wrong = cases;
  describeToy<2>(wrong[0]);
  for (const ResultRow& r : measureToy(3, wrong)) EXPECT_EQ(r.check, "fail") << r.bytes;

  // Fitted by `hockney fit` from rows of a known α and β ...
  const double alpha = 4e-6, beta = 2e-10;
  std::vector<ResultRow> synthetic;
  for (size_t bytes : {1024, 4096, 16384, 65536, 262144, 1048576, 4194304}) {
    ResultRow r = rows[0];
    r.bytes = bytes;
    r.count = bytes / 4;
    r.cost = Cost{1, static_cast<double>(bytes), 0};
    const double us = (alpha + beta * static_cast<double>(bytes)) * 1e6;
    r.timeUs = {us, us, us, us, us, us};
    synthetic.push_back(r);
  }
  Provenance prov;
  prov.ranks = 3;
  prov.hostOfRank = {"h", "h", "h"};
  prov.startedAt = prov.finishedAt = "2026-12-01T00:00:00Z";
  const nlohmann::json report = makeResultsReport(prov, {{"pattern", "toy_shift"}}, synthetic, {});
  std::vector<std::string> warnings;
  const nlohmann::json cal =
      fitCalibration({{"toy.json", report}}, CalibrateOptions{}, warnings).toJson();
  CalibrationSet set;
  for (const nlohmann::json& f : cal["fits"]) set.fits.push_back(CalibratedFit::fromJson(f, "toy"));
  ASSERT_EQ(set.fits.size(), 1u);
  EXPECT_EQ(set.fits[0].pattern, "toy_shift");

  // ... and priced by projection with the registry's cost of its algorithm.
  CommItem item{"TOY", "toy_shift", "a toy step", 8, 1 << 20, 1, DataType::kFloat32};
  std::vector<std::string> notes;
  const PricedCall priced = priceCall(item, set.fits[0].level, set, "best", notes);
  EXPECT_EQ(priced.algorithm, "shift");
  EXPECT_NEAR(priced.seconds, alpha + beta * (1 << 20), 1e-9);
  const PricedCall reference = priceCall(item, set.fits[0].level, set, "ring", notes);
  EXPECT_EQ(reference.algorithm, "shift");  // the pattern's reference algorithm
}

TEST(ToyPattern, ANameTakenOrAHarnessTwiceIsRefused) {
  registerToyOnce();
  EXPECT_THROW(registerPattern(toyPattern()), Error);
  static const PatternHarness again{.pattern = "toy_shift", .describe = describeToy<1>};
  EXPECT_THROW(registerHarness(again), Error);
  static const PatternHarness nowhere{.pattern = "no_such_pattern", .describe = describeToy<1>};
  EXPECT_THROW(registerHarness(nowhere), UsageError);
}

// reduce reduces: calibrated in every element type, priced with a fit of its own type, its busbw
// factor 1, and imported logs of it need their element type (facts that were decided three
// times, once without reduce).
TEST(PatternFacts, ReduceIsAReductionEverywhere) {
  const Pattern& reduce = findPattern("reduce");
  EXPECT_TRUE(reduce.facts.reduces);
  EXPECT_FALSE(reduce.facts.blocks);
  EXPECT_EQ(reduce.facts.busFactor(8), 1.0);
  EXPECT_EQ(reduce.unitBytes(8, DataType::kFloat32), 4u);
  EXPECT_EQ(findPattern("reduce_scatter").unitBytes(8, DataType::kFloat32), 32u);
  EXPECT_EQ(selectCases("reduce", {"vendor"}).at(0).summary, "MPI_Reduce of the MPI library");

  CalibrateJob job;
  job.patterns = {"reduce", "allgather"};
  job.types = {DataType::kFloat32, DataType::kBfloat16};
  SweepConfig sweep;
  std::vector<std::string> notes;
  auto topology = std::make_shared<Topology>();
  topology->hosts.resize(1);
  topology->ranks.resize(4);
  const std::vector<CalibrationPlace> places = calibrationPlaces(sweep, topology, 0);
  int reducePlans = 0, allgatherPlans = 0;
  for (const CalibrationTarget& plan : calibrationTargets(job, places, *topology, notes)) {
    reducePlans += plan.pattern == "reduce" ? 1 : 0;
    allgatherPlans += plan.pattern == "allgather" ? 1 : 0;
  }
  EXPECT_EQ(reducePlans, 2);     // one per element type: it reduces
  EXPECT_EQ(allgatherPlans, 1);  // moving bytes: the first type will do

  // Priced with the fit of its own element type when it has one.
  CalibrationSet set;
  for (const char* dtype : {"float32", "bfloat16"}) {
    nlohmann::json f{{"backend", "mpi"},
                     {"pattern", "reduce"},
                     {"algorithm", "binomial"},
                     {"level", "node"},
                     {"black_box", false},
                     {"ranks", {4}},
                     {"dtype", dtype},
                     {"pieces",
                      {{{"from_bytes", 0},
                        {"to_bytes", nullptr},
                        {"alpha_s", 1e-6},
                        {"beta_s_per_byte", std::string(dtype) == "float32" ? 1e-10 : 1e-9}}}}};
    set.fits.push_back(CalibratedFit::fromJson(f, "test"));
  }
  CommItem item{"X", "reduce", "a reduce", 4, 1 << 20, 1, DataType::kBfloat16};
  std::vector<std::string> priceNotes;
  const PricedCall bf16 = priceCall(item, LinkLevel::kNode, set, "best", priceNotes);
  item.dtype = DataType::kFloat32;
  const PricedCall f32 = priceCall(item, LinkLevel::kNode, set, "best", priceNotes);
  EXPECT_GT(bf16.seconds, 5 * f32.seconds);  // each with its own type's β
  EXPECT_EQ(reduce.facts.reference, "binomial");

  // An OSU log that does not say its element type: a reduction's cannot be imported as bytes
  // (a broadcast's can: OSU moves MPI_CHAR buffers).
  const std::string table = "# Size       Avg Latency(us)\n4 1.5\n1024 3.0\n";
  EXPECT_THROW(importOsu("r.txt", "# OSU MPI Reduce Latency Test v5.8\n" + table, {"", 4, "", {}}),
               UsageError);
  EXPECT_EQ(importOsu("b.txt", "# OSU MPI Broadcast Latency Test v5.8\n" + table, {"", 4, "", {}})
                .rows.at(0)
                .dtype,
            "int8");
}

}  // namespace
}  // namespace hockney
