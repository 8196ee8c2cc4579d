// hockney tune on rows made here: what each size chooses and why, the ranges the files say, the
// files' formats (Open MPI's classic rules, NCCL's example tuner CSV), and --check.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "model/tune.h"
#include "reports/results.h"
#include "tests/unit/expect_error.h"

namespace hockney {
namespace {

using nlohmann::json;

struct Row {
  std::string algorithm;  // "vendor" or a variant name
  size_t bytes;
  double medianUs;
  double p95Us = 0;  // 0: the median (no spread)
  long iterations = 100;
};

json ompiRule(const std::string& name) {
  const std::map<std::string, long> ids{
      {"ring", 4}, {"basic_linear", 1}, {"recursive_doubling", 3}};
  return {{"library", "ompi"},
          {"collective", "allreduce"},
          {"algorithm", ids.at(name)},
          {"faninout", 4},
          {"segsize", 0}};
}

TuneInput report(const std::string& path, const std::vector<Row>& rows, int ranks = 2,
                 const std::string& backend = "mpi", const std::string& pattern = "allreduce",
                 const std::string& dtype = "float32",
                 const std::function<json(const std::string&)>& rule = ompiRule) {
  json results = json::array();
  for (const Row& r : rows) {
    ResultRow x;
    x.pattern = pattern;
    x.backend = backend;
    x.ranks = ranks;
    x.bytes = r.bytes;
    x.count = r.bytes / 4;
    x.dtype = dtype;
    x.op = "sum";
    x.iterations = r.iterations;
    x.check = "pass";
    const double p95 = r.p95Us > 0 ? r.p95Us : r.medianUs;
    x.timeUs = {r.medianUs, r.medianUs, r.medianUs, p95, p95, p95};
    if (r.algorithm == "vendor") {
      x.algorithm = "vendor";
    } else {
      x.algorithm = "vendor:" + r.algorithm;
      x.details["variant"] = {{"name", r.algorithm}, {"id", 0}, {"rule", rule(r.algorithm)}};
    }
    json j;
    to_json(j, x);
    results.push_back(j);
  }
  return TuneInput{path,
                   {{"kind", "results"},
                    {"hosts", json::array({"h0"})},
                    {"mpi", {{"library_version", "Open MPI v4.1.4"}}},
                    {"results", results}}};
}

// 1K: the library wins; 64K: ring 1% faster, inside the noise; 1M and 16M: ring 2x faster.
std::vector<Row> sweep() {
  return {{"vendor", 1024, 10},         {"ring", 1024, 12},        {"vendor", 65536, 100, 130},
          {"ring", 65536, 99, 130, 10}, {"vendor", 1 << 20, 1000}, {"ring", 1 << 20, 500},
          {"vendor", 16 << 20, 16000},  {"ring", 16 << 20, 8000}};
}

TEST(Tune, ChoosesPerSizeOnlyBeyondNoiseAndMergesRanges) {
  const TuneResult r = tune({report("a.json", sweep())}, "ompi-rules", "hockney tune a.json");
  ASSERT_EQ(r.series.size(), 1u);
  const TuneSeries& s = r.series[0];
  EXPECT_EQ(s.call, "MPI_Allreduce");
  ASSERT_EQ(s.choices.size(), 4u);
  EXPECT_EQ(s.choices[0].chosen, "");  // the library is fastest
  EXPECT_EQ(s.choices[1].chosen, "");  // 1% inside the noise
  EXPECT_NE(s.choices[1].why.find("within the rows' noise"), std::string::npos) << s.choices[1].why;
  EXPECT_EQ(s.choices[2].chosen, "ring");
  EXPECT_EQ(s.choices[3].chosen, "ring");
  // Library from 0 (1K and 64K merged), ring from the geometric midpoint of 64K and 1M up to the
  // largest size measured, the library again above it.
  ASSERT_EQ(s.ranges.size(), 3u);
  EXPECT_EQ(s.ranges[0].fromBytes, 0u);
  EXPECT_EQ(s.ranges[0].chosen, "");
  EXPECT_EQ(s.ranges[1].fromBytes, 262144u);
  EXPECT_EQ(s.ranges[1].toBytes, 16u << 20);
  EXPECT_EQ(s.ranges[1].chosen, "ring");
  EXPECT_EQ(s.ranges[2].fromBytes, (16u << 20) + 1);
  EXPECT_FALSE(s.ranges[2].measured);
}

// The numbers of the file, comments dropped, as Open MPI's reader sees them.
std::vector<long> numbersOf(const std::string& text) {
  std::vector<long> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    line = line.substr(0, line.find('#'));
    std::istringstream words(line);
    long v;
    while (words >> v) out.push_back(v);
  }
  return out;
}

TEST(Tune, WritesOpenMpisClassicRulesFormat) {
  const TuneResult r =
      tune({report("a.json", sweep()), report("b.json", sweep(), 4)}, "ompi-rules", "hockney tune");
  // 1 collective: allreduce (2) with communicator sizes 1 (default), 2, 3 (default), 4, 5
  // (default); every size's rules start at 0 and are "bytes algorithm faninout segsize".
  const std::vector<long> want{1, 2, 5,                                               //
                               1, 1, 0, 0, 0, 0,                                      //
                               2, 3, 0, 0, 0, 0, 262144, 4, 4, 0, 16777217, 0, 0, 0,  //
                               3, 1, 0, 0, 0, 0,                                      //
                               4, 3, 0, 0, 0, 0, 262144, 4, 4, 0, 16777217, 0, 0, 0,  //
                               5, 1, 0, 0, 0, 0};
  EXPECT_EQ(numbersOf(r.text), want) << r.text;
}

TEST(Tune, SeveralReportsCombineAndTheirSpreadIsNoise) {
  // Two runs that disagree by more than ring's gain: no switch at 1M.
  std::vector<Row> a = {{"vendor", 1 << 20, 1000}, {"ring", 1 << 20, 800}};
  std::vector<Row> b = {{"vendor", 1 << 20, 600}, {"ring", 1 << 20, 800}};
  const TuneResult r = tune({report("a.json", a), report("b.json", b)}, "ompi-rules", "");
  ASSERT_EQ(r.series[0].choices.size(), 1u);
  const TuneChoice& c = r.series[0].choices[0];
  EXPECT_EQ(c.library.reports, 2);
  EXPECT_DOUBLE_EQ(c.library.medianUs, 800);
  EXPECT_DOUBLE_EQ(c.library.noiseUs, 200);
  EXPECT_EQ(c.chosen, "");
}

TEST(Tune, RefusesWhatItCannotTune) {
  expectError(
      [] {
        tune({report("a.json", {{"ring", 1024, 5}})}, "ompi-rules", "");
      },
      "no row of the library's own choice");
  expectError(
      [] {
        tune({report("a.json", {{"vendor", 1024, 5}, {"ring", 1024, 4}}),
              report("b.json", {{"vendor", 2048, 5}, {"ring", 2048, 4}}, 2, "mpi", "allreduce",
                     "float64")},
             "ompi-rules", "");
      },
      "tune one dtype at a time");
  expectError(
      [] {
        tune({report("a.json", {{"vendor", 1024, 5}})}, "ompi-rules", "");
      },
      "--algo vendor:all");
  TuneInput ruled = report("a.json", sweep());
  ruled.report["mpi"]["tuning"] = {{"library", "Open MPI coll/tuned"},
                                   {"use_dynamic_rules", true},
                                   {"dynamic_rules_filename", "/x/rules.conf"}};
  expectError([&] { tune({ruled}, "ompi-rules", ""); }, "in force");
  expectError([] { tune({report("a.json", sweep())}, "nccl-tuner", ""); },
              "no nccl vendor variants");
  expectError([] { tune({report("a.json", sweep())}, "mpich", ""); }, "--format");
  expectError(
      [] {
        tune({TuneInput{"c.json", {{"kind", "calibration"}}}}, "ompi-rules", "");
      },
      "not a results report");
}

TEST(Tune, AlltoallvHasOneRuleForEverySize) {
  auto rule = [](const std::string& name) {
    return json{{"library", "ompi"},
                {"collective", "alltoallv"},
                {"algorithm", name == "pairwise" ? 2 : 1},
                {"faninout", 0},
                {"segsize", 0}};
  };
  const std::vector<Row> rows = {{"vendor", 4096, 10},       {"pairwise", 4096, 9},
                                 {"basic_linear", 4096, 11}, {"vendor", 1 << 20, 1000},
                                 {"pairwise", 1 << 20, 600}, {"basic_linear", 1 << 20, 1100}};
  const TuneResult r =
      tune({report("a.json", rows, 4, "mpi", "alltoall", "float32", rule)}, "ompi-rules", "");
  ASSERT_EQ(r.series[0].ranges.size(), 1u);
  EXPECT_EQ(r.series[0].ranges[0].chosen, "pairwise");
  const std::vector<long> want{1, 4, 3, 1, 1, 0, 0, 0, 0, 4, 1, 0, 2, 0, 0, 5, 1, 0, 0, 0, 0};
  EXPECT_EQ(numbersOf(r.text), want) << r.text;
}

TEST(Tune, WritesNcclExampleTunerLines) {
  auto rule = [](const std::string& name) {
    const size_t slash = name.find('/');
    return json{{"library", "nccl"},
                {"algorithm", name.substr(0, slash)},
                {"protocol", name.substr(slash + 1)}};
  };
  const std::vector<Row> rows = {{"tree/ll", 1024, 5},        {"ring/simple", 1024, 9},
                                 {"tree/ll", 1 << 20, 90},    {"ring/simple", 1 << 20, 60},
                                 {"ring/ll128", 1 << 20, 70}, {"ring/simple", 1 << 26, 900}};
  const TuneResult r =
      tune({report("a.json", rows, 8, "nccl", "allreduce", "float32", rule)}, "nccl-tuner", "");
  // The plugin's documented line: collective,min_bytes,max_bytes,algorithm,protocol,channels,
  // nNodes,nRanks (NVIDIA/nccl plugins/tuner/example/README.md).
  const std::regex line(
      R"((broadcast|reduce|allgather|reducescatter|allreduce),(\d+),(\d+),)"
      R"((tree|ring|collnet_direct|collnet_chain|nvls|nvls_tree|pat),(ll|ll128|simple),-?\d+,-?\d+,-?\d+)");
  std::istringstream in(r.text);
  std::string l;
  std::vector<std::string> lines;
  long lastMax = -1;
  while (std::getline(in, l)) {
    if (l.empty() || l[0] == '#') continue;
    std::smatch m;
    ASSERT_TRUE(std::regex_match(l, m, line)) << l;
    EXPECT_LE(std::stol(m[2]), std::stol(m[3])) << l;
    EXPECT_GT(std::stol(m[2]), lastMax) << "ranges overlap: " << l;
    lastMax = std::stol(m[3]);
    lines.push_back(l);
  }
  ASSERT_EQ(lines.size(), 2u) << r.text;
  EXPECT_EQ(lines[0], "allreduce,1024,32767,tree,ll,-1,1,8");
  EXPECT_EQ(lines[1], "allreduce,32768,67108864,ring,simple,-1,1,8");
}

TEST(Tune, ReadsBackTheRulesAsOpenMpiLooksThemUp) {
  const TuneResult r =
      tune({report("a.json", sweep()), report("b.json", sweep(), 4)}, "ompi-rules", "");
  // allreduce is collective 2; ring (4) from 262144 B to 16 MiB on 2 and 4 ranks.
  EXPECT_EQ(ompiRuleFor(r.text, "r", 2, 2, 65536), 0);
  EXPECT_EQ(ompiRuleFor(r.text, "r", 2, 2, 262144), 4);
  EXPECT_EQ(ompiRuleFor(r.text, "r", 2, 4, 16u << 20), 4);
  EXPECT_EQ(ompiRuleFor(r.text, "r", 2, 4, (16u << 20) + 1), 0);
  // Communicator sizes never measured fall on the keep-the-default entries around them.
  EXPECT_EQ(ompiRuleFor(r.text, "r", 2, 3, 1 << 20), 0);
  EXPECT_EQ(ompiRuleFor(r.text, "r", 2, 64, 1 << 20), 0);
  EXPECT_EQ(ompiRuleFor(r.text, "r", 2, 1, 1 << 20), 0);
  EXPECT_EQ(ompiRuleFor(r.text, "r", 7, 2, 1 << 20), std::nullopt);  // no bcast rules
  expectError([] { ompiRuleFor("1 2 3", "cut.conf", 2, 2, 8); },
              "cut.conf is not an Open MPI rules file");
}

TEST(Tune, CheckComparesTheTunedLibraryWithTheBestVariant) {
  const TuneInput ref = report("v.json", sweep());
  // Tuned: at 1M as fast as ring; at 16M 20% slower than ring, beyond 5% and the noise.
  TuneInput tuned = report("t.json", {{"vendor", 1 << 20, 510}, {"vendor", 16 << 20, 9600}});
  tuned.report["mpi"]["tuning"] = {{"library", "Open MPI coll/tuned"},
                                   {"use_dynamic_rules", true},
                                   {"dynamic_rules_filename", "rules.conf"}};
  const TuneCheck c = checkTuned({ref}, {tuned}, 0.05);
  ASSERT_EQ(c.rows.size(), 2u);
  EXPECT_TRUE(c.rows[0].pass);
  EXPECT_EQ(c.rows[0].best, "vendor:ring");
  EXPECT_DOUBLE_EQ(c.rows[0].libraryUs, 1000);
  EXPECT_FALSE(c.rows[1].pass);
  EXPECT_FALSE(c.pass());
  EXPECT_TRUE(c.notes.empty());
  expectError([&] { checkTuned({tuned}, {tuned}, 0.05); }, "untuned");
}

}  // namespace
}  // namespace hockney
