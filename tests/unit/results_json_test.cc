#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "collectives/core/error.h"
#include "reports/results.h"

namespace hockney {
namespace {

namespace fs = std::filesystem;

ResultRow sampleRow(size_t bytes, double medianUs) {
  ResultRow r;
  r.pattern = "allreduce";
  r.algorithm = "ring";
  r.backend = "mpi";
  r.ranks = 4;
  r.bytes = bytes;
  r.count = bytes / 4;
  r.dtype = "float32";
  r.op = "sum";
  r.iterations = 20;
  r.warmup = 5;
  r.timeUs = {medianUs * 0.9, medianUs, medianUs * 1.1, medianUs * 1.5, medianUs * 2, medianUs * 3};
  r.algbwGbps = 1.5;
  r.busbwGbps = 2.25;
  r.check = "pass";
  r.bufferSets = 3;
  r.cost = Cost{6, 1.5 * static_cast<double>(bytes), 0.75 * static_cast<double>(bytes)};
  return r;
}

fs::path tempDir() {
  fs::path d =
      fs::temp_directory_path() / ("hockney-test-" + std::to_string(::getpid()) + "-" +
                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::create_directories(d);
  return d;
}

TEST(ResultsJson, RowsRoundTrip) {
  ResultRow a = sampleRow(4096, 12.5);
  a.flags = {"bimodal"};
  a.checkDetail = "";
  nlohmann::json j = a;
  EXPECT_EQ(j["time_us"]["median"], 12.5);
  EXPECT_EQ(j["cost"]["alpha_count"], 6);
  ResultRow b = j.get<ResultRow>();
  EXPECT_EQ(nlohmann::json(b), j);
  EXPECT_EQ(b.key(), a.key());
  ResultRow vendor = a;
  vendor.algorithm = "vendor";
  vendor.cost.reset();
  nlohmann::json jv = vendor;
  EXPECT_TRUE(jv["cost"].is_null());
  EXPECT_FALSE(jv.get<ResultRow>().cost.has_value());
}

TEST(ResultsJson, MissingFieldsAreErrors) {
  nlohmann::json j = sampleRow(8, 1);
  j.erase("time_us");
  EXPECT_THROW(j.get<ResultRow>(), nlohmann::json::exception);
}

TEST(ResultsJson, CliffsAreFlaggedPerSeries) {
  std::vector<ResultRow> rows{sampleRow(1 << 20, 150), sampleRow(16 << 20, 2000),
                              sampleRow(32 << 20, 80000)};
  ResultRow other = sampleRow(32 << 20, 4000);
  other.algorithm = "tree";
  rows.push_back(other);
  auto notes = flagCliffs(rows);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("allreduce/ring"), std::string::npos);
  EXPECT_EQ(rows[2].flags, std::vector<std::string>{"cliff"});
  EXPECT_TRUE(rows[3].flags.empty());
}

TEST(ResultsJson, PageFaultsPerCallRoundTripAndAreAbsentInOlderRows) {
  ResultRow a = sampleRow(32 << 20, 13000);
  a.minorFaultsPerCall = 4098;
  nlohmann::json j = a;
  EXPECT_EQ(j["minor_faults_per_call"], 4098);
  EXPECT_EQ(j.get<ResultRow>().minorFaultsPerCall, 4098);
  j.erase("minor_faults_per_call");  // a report from before they were counted
  EXPECT_FALSE(j.get<ResultRow>().minorFaultsPerCall.has_value());
}

TEST(ResultsJson, ACliffWithPageFaultsIsNamedForThemAndEachFaultingSeriesNoted) {
  std::vector<ResultRow> rows{sampleRow(1 << 20, 150), sampleRow(16 << 20, 2000),
                              sampleRow(32 << 20, 80000), sampleRow(64 << 20, 160000)};
  rows[0].minorFaultsPerCall = 0;
  rows[1].minorFaultsPerCall = 0;
  rows[2].minorFaultsPerCall = 4098;  // 16 MiB mapped afresh per call
  rows[3].minorFaultsPerCall = 8194;
  ResultRow quiet = sampleRow(64 << 20, 30000);  // a cliff without faults: cause unknown
  quiet.algorithm = "tree";
  quiet.minorFaultsPerCall = 0;
  ResultRow quietSmall = sampleRow(1 << 20, 100);
  quietSmall.algorithm = "tree";
  rows.push_back(quietSmall);
  rows.push_back(quiet);
  const std::vector<std::string> cliffs = flagCliffs(rows);
  ASSERT_EQ(cliffs.size(), 2u);
  const std::string& ring =
      cliffs[0].find("allreduce/ring") != std::string::npos ? cliffs[0] : cliffs[1];
  const std::string& tree = &ring == &cliffs[0] ? cliffs[1] : cliffs[0];
  EXPECT_NE(ring.find("0 -> 4098 minor page faults per call, about 16 MiB per call"),
            std::string::npos)
      << ring;
  EXPECT_NE(tree.find("a protocol switch or per-call allocation cliff"), std::string::npos) << tree;
  const std::vector<std::string> faults = notePageFaults(rows);
  ASSERT_EQ(faults.size(), 1u);  // the ring series only
  EXPECT_NE(faults[0].find("allreduce/ring float32: page faults on every call from 33554432 B "
                           "(4098 per call there, up to 8194: about 32 MiB mapped afresh"),
            std::string::npos)
      << faults[0];
}

TEST(Checkpoint, AppendsLoadsAndToleratesATruncatedLastLine) {
  fs::path dir = tempDir();
  Checkpoint cp((dir / "run.json.jsonl").string());
  const nlohmann::json id{{"pattern", "allreduce"}, {"ranks", 4}, {"dtype", "float32"}};
  cp.create(id);
  EXPECT_FALSE(cp.hasRows());  // a header alone is not an unfinished run
  cp.append(sampleRow(8, 1));
  EXPECT_TRUE(cp.hasRows());
  cp.append(sampleRow(16, 2));
  std::vector<std::string> notes;
  EXPECT_EQ(cp.load(id, notes).size(), 2u);
  EXPECT_TRUE(notes.empty());
  { std::ofstream(cp.path(), std::ios::app) << "{\"pattern\": \"allre"; }
  EXPECT_EQ(cp.load(id, notes).size(), 2u);
  EXPECT_EQ(notes.size(), 1u);
  // A bad line in the middle is not a crash: it is a clear error naming the line.
  {
    std::ofstream(cp.path(), std::ios::app) << "\n"
                                            << nlohmann::json(sampleRow(32, 3)).dump() << "\n";
  }
  try {
    cp.load(id, notes);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("line 4"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

TEST(Checkpoint, ResumingAnotherRunIsAnErrorNamingTheDifference) {
  fs::path dir = tempDir();
  Checkpoint cp((dir / "run.json.jsonl").string());
  const nlohmann::json id{{"pattern", "allreduce"}, {"ranks", 4}, {"dtype", "float32"}};
  cp.create(id);
  cp.append(sampleRow(8, 1));
  std::vector<std::string> notes;
  nlohmann::json other = id;
  other["ranks"] = 2;
  try {
    cp.load(other, notes);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("its ranks is 4, this run's is 2"), std::string::npos)
        << e.what();
  }
  // A foreign row (another rank count) appended under the right header is refused too.
  ResultRow foreign = sampleRow(16, 2);
  foreign.ranks = 7;
  cp.append(foreign);
  try {
    cp.load(id, notes);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("line 3 is a row of another run: its ranks is 7"),
              std::string::npos)
        << e.what();
  }
  fs::remove_all(dir);
}

TEST(AtomicWrite, ReplacesWholeOrLeavesTheOldFile) {
  fs::path dir = tempDir();
  std::string path = (dir / "sub" / "report.json").string();
  writeFileAtomically(path, "first");
  writeFileAtomically(path, "second");
  std::ifstream in(path);
  std::string got((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(got, "second");
  // A target that cannot be replaced (a directory) fails loudly and leaves no temp file.
  fs::create_directories(dir / "adir" / "x");
  EXPECT_THROW(writeFileAtomically((dir / "adir").string(), "data"), Error);
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir)) files += e.is_regular_file() ? 1 : 0;
  EXPECT_EQ(files, 0u);
  fs::remove_all(dir);
}

TEST(Report, CarriesProvenanceAndRows) {
  Provenance p;
  p.toolVersion = "0.1.0";
  p.gitCommit = "abc";
  p.commandLine = "hockney run";
  p.startedAt = utcNow();
  p.finishedAt = utcNow();
  p.mpiLibrary = "Open MPI";
  p.ranks = 3;
  p.hostOfRank = {"a", "b", "a"};
  nlohmann::json r = makeResultsReport(p, {{"pattern", "allreduce"}}, {sampleRow(8, 1)}, {});
  EXPECT_EQ(r["schema_version"], kResultsSchemaVersion);
  EXPECT_EQ(r["hosts"], (nlohmann::json{"a", "b"}));
  EXPECT_EQ(r["placement"][2]["host"], "a");
  EXPECT_EQ(r["results"].size(), 1u);
  EXPECT_TRUE(r["slurm"].is_null());
}

}  // namespace
}  // namespace hockney
