#pragma once
// results.json: one row per measured (pattern, algorithm, size), the run's provenance, and the
// checkpoint (.jsonl) the rows are appended to while a sweep runs. Field names are the report's
// contract (reports/schema/results.schema.json); readers (fit, compare, plots) depend on them.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectives/core/cost.h"
#include "collectives/core/link_level.h"
#include "reports/stats.h"

namespace hockney {

inline constexpr int kResultsSchemaVersion = 1;

using TimeStats = Summary;  // of per-call times, in microseconds

// The scope of a row measured on all the job's ranks (rows of --scope node|leaders say which).
inline constexpr std::string_view kWorldScope = "world";

struct ResultRow {
  std::string pattern;
  std::string algorithm;
  std::string backend;
  int ranks = 0;
  size_t bytes = 0;
  size_t count = 0;
  std::string dtype;
  std::string op;
  long iterations = 0;  // timed samples
  long warmup = 0;
  long callsPerSample = 1;  // back-to-back calls timed together; times are per call
  // A sample across ranks: "max" (the slowest rank, hockney's default), "avg", "min" or "rank0"
  // (--rank-stat); every row measured or imported says which. None in rows from before the
  // option (they are "max"), kept absent so landed reports round-trip unchanged.
  std::optional<std::string> rankStat;
  TimeStats timeUs;
  double algbwGbps = 0;
  double busbwGbps = 0;
  std::string check;               // "pass", "fail" or "off"
  std::string checkDetail;         // the first mismatch when check is "fail"
  std::vector<std::string> flags;  // "bimodal", "cliff", "page_faults"
  int bufferSets = 1;
  std::string buffers = "hot";  // "hot" (one buffer pair reused) or "cold" (rotating sets)
  bool inPlace = false;
  // Where it ran: the ranks it used ("world", or "node"/"leaders" groups of a --scope run) and
  // the widest link level its messages crossed; not recorded in reports from before topology
  // discovery and in imported logs without device lines.
  std::string scope{kWorldScope};
  LinkLevel level = LinkLevel::kUnrecorded;
  std::optional<Cost> cost;  // the algorithm's α-β-γ coefficients; none for vendor
  // Minor page faults per timed call (the most of any rank): memory mapped afresh on every call,
  // by the library or the algorithm. None in older reports and imported logs.
  std::optional<double> minorFaultsPerCall;
  nlohmann::json details = nlohmann::json::object();  // pattern-specific facts (phases, ...)

  // Identity of a measurement point: what --resume matches on.
  std::string key() const;
};

void to_json(nlohmann::json& j, const ResultRow& row);
void from_json(const nlohmann::json& j, ResultRow& row);

// A row pays page faults on every call from this many per call (one 4 KiB page).
inline constexpr double kPageFaultsPerCall = 1.0;

// Marks "cliff" on rows whose time per byte jumps above the previous size's (same pattern,
// algorithm, dtype, op and ranks). Returns human-readable notes for what it flagged.
std::vector<std::string> flagCliffs(std::vector<ResultRow>& rows);

// One note per series whose rows pay page faults on every call (flag "page_faults"): from which
// size, and about how much memory a call maps afresh.
std::vector<std::string> notePageFaults(const std::vector<ResultRow>& rows);

struct Provenance {
  std::string toolVersion;
  std::string gitCommit;
  std::string commandLine;
  std::string startedAt;
  std::string finishedAt;
  std::string mpiLibrary;
  int ranks = 0;
  std::vector<std::string> hostOfRank;  // index = rank
  nlohmann::json slurm;                 // null outside SLURM
  nlohmann::json topology;              // the job's Topology (topology/topology.h), or null
  nlohmann::json devices;               // a device backend's GPUs, versions, environment, or null
  nlohmann::json allocator;             // what the process's malloc was told (allocator.h), or null
  nlohmann::json tuning;  // the MPI library's collective tuning in force (Backend::tuning), or null
};

nlohmann::json makeResultsReport(const Provenance& prov, const nlohmann::json& config,
                                 const std::vector<ResultRow>& rows,
                                 const std::vector<std::string>& notes);
// What a calibration's "sources" records of the report makeResultsReport writes at `path`
// (tool, start, hosts, MPI library, ranks, rows): the same fields as fit reads from the file.
nlohmann::json sourceRecord(const std::string& path, const Provenance& prov, size_t rows);

// Writes path atomically: a temporary file beside it, then rename. Throws Error on failure and
// leaves an existing file untouched.
void writeFileAtomically(const std::string& path, const std::string& contents);
// A report as written: indented JSON and a newline. Paths and command lines are bytes, not
// always UTF-8: a byte JSON cannot hold is written as U+FFFD instead of failing the write.
std::string reportText(const nlohmann::json& report);

// The checkpoint: a first line naming the run it belongs to ({"checkpoint_of": identity}), then
// one JSON row per line, flushed after each. The identity holds whatever changes what a row
// measures (pattern, ranks, dtype, op, buffers, pattern options); a resumed run must match it.
class Checkpoint {
 public:
  explicit Checkpoint(std::string path) : path_(std::move(path)) {}
  const std::string& path() const { return path_; }
  bool exists() const;
  // True when the file holds at least one result row (a header alone, or an empty file left by
  // a job that died before measuring, is not an unfinished run).
  bool hasRows() const;
  // Rows already there. Throws UsageError naming the line when one is malformed (a line cut off
  // by a killed job at the very end is tolerated and reported in `notes`), and naming the field
  // when the checkpoint belongs to another run (identity, or a row's pattern/ranks/dtype/op).
  std::vector<ResultRow> load(const nlohmann::json& identity,
                              std::vector<std::string>& notes) const;
  void append(const ResultRow& row) const;
  void create(const nlohmann::json& identity) const;  // truncates; writes the header line
  void remove() const;

 private:
  std::string path_;
};

// --resume with no checkpoint but a report at `out`: the rows of a finished run whose config
// matches `identity`'s fields (a note says they are kept); UsageError, before anything is
// overwritten, naming the differing fields of another run's report or a file that is not one.
std::vector<ResultRow> finishedReportRows(const std::string& out, const std::string& checkpointPath,
                                          const nlohmann::json& config,
                                          const nlohmann::json& identity,
                                          std::vector<std::string>& notes);

std::string utcNow();  // ISO 8601, seconds, "Z"

}  // namespace hockney
