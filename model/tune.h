#pragma once
// `hockney tune`: measurements of a vendor collective's forced algorithms (vendor:NAME rows,
// microbench/backend.h) turned into the files the libraries read to choose them:
//   ompi-rules  Open MPI coll/tuned's classic dynamic rules file
//               (--mca coll_tuned_use_dynamic_rules 1 --mca coll_tuned_dynamic_rules_filename F);
//   nccl-tuner  the CSV config of NCCL's example tuner plugin (NCCL_TUNER_CONFIG_FILE).
// Per (collective, communicator size) and measured size the fastest variant is chosen, but the
// library's own choice is kept unless the winner beats it by more than both rows' noise;
// neighbouring sizes with the same choice are merged into one range. Nothing is said for a size
// or a communicator size that was not measured: there the library keeps its own choice.
//
// `hockney tune --check`: the vendor measured with the written file against the variants it was
// chosen from, size by size (the win, and whether the tuned library is within tolerance of the
// best variant).
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace hockney {

// One results report as tune reads it.
struct TuneInput {
  std::string path;
  nlohmann::json report;
};
TuneInput readTuneInput(const std::string& path);  // throws UsageError naming the file

// A measured size of one candidate: its median over the reports that measured it and its noise:
// the larger of each report's own (the half-width of its median's 95% confidence interval, from
// the row's spread and sample count) and half the spread of the reports' medians, which is what
// dominates when a machine changes state between runs.
struct TunePoint {
  size_t bytes = 0;
  double medianUs = 0;
  double noiseUs = 0;
  int reports = 0;
};

// What one measured size chose.
struct TuneChoice {
  size_t bytes = 0;
  TunePoint library;                 // the library's own choice ("vendor")
  std::optional<TunePoint> fastest;  // the fastest variant
  std::string fastestName;
  std::string chosen;   // variant name, or "" for the library's own choice
  nlohmann::json rule;  // the chosen variant's rule (empty object for the library's choice)
  std::string why;
};

// A size range of the file: [fromBytes, toBytes] (toBytes 0: no upper end).
struct TuneRange {
  size_t fromBytes = 0;
  size_t toBytes = 0;
  std::string chosen;  // "" = the library's own choice
  nlohmann::json rule;
  bool measured = true;  // false: outside the measured sizes
};

struct TuneSeries {
  std::string backend;  // "mpi", "nccl"
  std::string pattern;
  std::string call;        // "MPI_Allreduce"
  std::string collective;  // the library's name ("allreduce" for Open MPI, NCCL's CSV name)
  int ranks = 0;
  int hosts = 0;
  std::string dtype;
  std::vector<TuneChoice> choices;  // by size
  std::vector<TuneRange> ranges;
  std::vector<std::string> notes;
};

struct TuneResult {
  std::string format;
  std::vector<TuneSeries> series;
  std::vector<std::string> inputs;
  std::vector<std::string> notes;
  std::string text;  // the file
  nlohmann::json toJson() const;
};

// Throws UsageError for a format other than ompi-rules or nccl-tuner, reports without vendor
// variants for it, a size without the library's own row, mixed dtypes in one series, or rows
// measured with a tuning file already in force.
TuneResult tune(const std::vector<TuneInput>& inputs, const std::string& format,
                const std::string& commandLine);

// The table people read: per series and size the library's time, the fastest variant, the
// choice; then the ranges written.
std::string formatTuneTable(const TuneResult& result);

// --check: per series and size, the tuned vendor (rows of `tuned`, measured with the file in
// force) against the best of the variants and the untuned library in `reference`.
struct TuneCheckRow {
  std::string call;
  int ranks = 0;
  size_t bytes = 0;
  double tunedUs = 0, tunedNoiseUs = 0;
  double libraryUs = 0;  // untuned
  double bestUs = 0, bestNoiseUs = 0;
  std::string best;  // "vendor" or vendor:NAME
  // What the rules file in force said for this size, read from the file the tuned report names
  // (Open MPI): "" for the library's own choice, the variant's name, or nullopt where unknown.
  std::optional<std::string> fileSays;
  bool pass = false;
};
struct TuneCheck {
  double tolerance = 0.05;
  std::vector<TuneCheckRow> rows;
  std::vector<std::string> notes;
  bool pass() const;
  nlohmann::json toJson() const;
};
TuneCheck checkTuned(const std::vector<TuneInput>& reference, const std::vector<TuneInput>& tuned,
                     double tolerance);

// The algorithm an Open MPI classic rules file names for a collective id, communicator size and
// message size, as coll/tuned looks it up (the largest communicator size not above the
// communicator's, else the first; the last message rule not above the size); 0 for the
// library's own choice; nullopt where the file has no rule for the collective. Throws
// UsageError naming `where` for a file that is not one.
std::optional<long> ompiRuleFor(const std::string& text, const std::string& where, int collective,
                                int commSize, size_t bytes);
std::string formatTuneCheck(const TuneCheck& check);

}  // namespace hockney
