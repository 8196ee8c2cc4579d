#pragma once
// `hockney fit`: from results reports to calibration.json — one α-β-γ fit per (backend,
// pattern, algorithm, link level the rows crossed) over the algorithm's own cost coefficients (rank
// counts pooled: the coefficients already carry p), a black-box t = α' + n·β' per rank count for
// vendor collectives, fit quality on held-out sizes, the sources' provenance, and a selection table
// of the predicted fastest algorithm per pattern, rank count and size range.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "collectives/core/cost.h"
#include "collectives/core/link_level.h"
#include "model/fit.h"
#include "reports/results.h"

namespace hockney {

inline constexpr int kCalibrationSchemaVersion = 1;

// Rows slower than this per call are broken measurements, not data.
inline constexpr double kMaxCallMicroseconds = 3.6e9;
// A fit is flagged (in the calibration, and beside every number projection prices with it)
// when its held-out p90 relative error exceeds kQualityP90 or its R² is under kQualityR2.
inline constexpr double kQualityP90 = 0.25;
inline constexpr double kQualityR2 = 0.9;
// A fit on fewer sizes than this, or one no held-out size checked, is under-determined: its
// errors are unknown (printed '-'), it is flagged, and calibrate exits kExitIncomplete.
inline constexpr size_t kMinFitSizes = 5;

// Relative error of sizes predicted by a fit that did not see them.
struct HeldOutError {
  double median = 0, p90 = 0, worst = 0;
  double worstBytes = 0;  // the size of the worst
  size_t points = 0;      // 0: too few sizes to hold any out (quality unknown)
  int folds = 0;          // 0: leave one size out
};

// One fit of calibration.json: what `fit` writes, what project, compare and replay price with.
struct CalibratedFit {
  std::string backend, pattern, algorithm, dtype;
  std::string buffers = "hot";  // what the rows measured: "hot" or "cold" buffers
  LinkLevel level = LinkLevel::kUnrecorded;
  bool blackBox = false;
  std::string model;  // the regression in words ("t = a*alpha + b*beta", ...)
  int ranks = 0;      // black boxes: the rank count they were measured at (0 for own algorithms)
  std::vector<int> measuredRanks;  // the rank counts the fit's rows came from
  std::vector<Piece> pieces;
  bool gamma = false;  // own algorithms whose reduction term was fitted: pieces carry γ
  std::vector<double> breaks;
  double r2 = 0;
  HeldOutError heldOut;
  size_t points = 0;
  std::vector<std::string> qualityWarnings;  // why the fit is not to be trusted; empty when fine
  std::string gammaNote;                     // why γ folded into β; empty when it did not
  std::vector<double> sizes;                 // distinct sizes fitted
  std::vector<std::string> sources;          // the reports its rows came from
  bool inPlace = false;  // nccl-tests' in-place column: fitted apart from out-of-place
  // Black boxes from logs with device lines: ranks per host and the GPU they ran on.
  int ranksPerHost = 0;  // 0: not recorded
  std::string device;
  // A vendor fit across rank counts in nccl-tests' bus-bandwidth convention (model/vendor.h):
  // "ring" or "tree", the growth of α in p it assumes; empty for a fit at one rank count.
  std::string scaling;
  // Its error on each rank count left out of the fit (leave one rank count out), and per rank.
  HeldOutError acrossRanks;
  std::vector<std::pair<int, double>> acrossRanksMedian;  // (ranks, median relative error)

  double largestMeasuredBytes() const;  // the largest size behind the fit (0: not recorded)
  // Fewer than kMinFitSizes sizes, or never checked on a held-out size.
  bool underDetermined() const { return sizes.size() < kMinFitSizes || heldOut.points == 0; }
  // Seconds for a call with these cost coefficients (black boxes: {1, bytes, 0}) at `bytes`.
  double predict(const Cost& c, double bytes) const;
  nlohmann::json toJson() const;
  nlohmann::json acrossRanksJson() const;  // null for a fit at one rank count
  // Throws UsageError naming `where`, the fit and the field for a missing or wrong field, an
  // unknown level, or a coefficient that is negative or not finite.
  static CalibratedFit fromJson(const nlohmann::json& j, const std::string& where);
};

// The fastest algorithm the fits predict, per measured size range.
struct SelectionRange {
  size_t fromBytes = 0, toBytes = 0;
  std::string algorithm;
};
struct Selection {
  std::string backend, pattern, buffers;
  int ranks = 0;
  LinkLevel level = LinkLevel::kUnrecorded;
  std::vector<SelectionRange> ranges;
};

// A reduction kernel's rate from hockney-kernels (γ measured directly).
struct ReductionKernel {
  std::string dtype, op, device;  // device: "host" or "gpu"
  double bytes = 0, reductionGbps = 0, gammaSecondsPerByte = 0;
};

// Drift probes further apart than this say the host's speed drifted during a calibrate job.
inline constexpr double kDriftLimit = 1.25;

// calibrate's drift probe (microbench/calibrate_report.h), per pass.
struct HostDrift {
  std::string reference;
  std::vector<double> referenceUs, faultsPerCall;
  double spread = 1, limit = 0;
  bool drifted = false;
  std::string note;  // empty when it did not drift
  int ranks = 0;     // the ranks it ran on (0: not recorded)
};

// World-scope rows of an own algorithm whose steps cross two levels, against the time composed
// from its single-level fits: the held-out check of the per-level model.
struct ComposedCheck {
  std::string backend, pattern, algorithm, dtype;
  int hosts = 0, ranksPerHost = 0;
  std::string nodeFit, networkFit;  // "pattern/algorithm at 'level'"
  // The largest size behind each fit: a check beyond it extrapolates that fit.
  double nodeFitUpTo = 0, networkFitUpTo = 0;
  struct Point {
    double bytes = 0, measuredUs = 0, composedUs = 0;
  };
  std::vector<Point> points;
  // Median of |composed - measured| / measured over sizes of at least 1 MiB (all sizes when
  // none is that large), and the sizes it is over.
  double medianRelErr = 0;
  size_t medianOver = 0;
  nlohmann::json toJson() const;
  static ComposedCheck fromJson(const nlohmann::json& j, const std::string& where);
};

// calibration.json, typed: one toJson/fromJson pair, used by every writer and reader.
struct Calibration {
  std::string createdAt, commandLine;
  std::vector<LinkLevel> levels;        // of the rows fitted
  std::vector<nlohmann::json> sources;  // each input's provenance, as its report wrote it
  std::vector<CalibratedFit> fits;
  std::vector<std::pair<std::string, std::string>> skipped;  // group, why it could not be fitted
  std::vector<Selection> selection;
  std::vector<ReductionKernel> reductionKernels;
  std::vector<std::string> notes;
  std::optional<HostDrift> hostDrift;
  // World-scope rows whose steps cross two levels are not fitted: each is priced from the
  // single-level fits (model/compose.h) and set beside its measurement here.
  std::vector<ComposedCheck> composed;

  nlohmann::json toJson() const;
  // Validates once for every command that loads one (see CalibratedFit::fromJson); throws
  // UsageError naming `where` for anything else that is not a calibration.
  static Calibration fromJson(const nlohmann::json& j, const std::string& where);
};

// What `fit` fits: a results report's rows and the record of it the calibration keeps, or the
// reduction rates of a hockney-kernels output. Read from a file at the edge (readResultsReport,
// or the (path, report) constructor, which throws UsageError naming the file); calibrate builds
// one from its own rows, with no JSON in between.
struct CalibrationInput {
  std::string path;
  std::vector<ResultRow> rows;
  std::vector<ReductionKernel> kernels;
  nlohmann::json source;  // what the calibration's "sources" records of it
  CalibrationInput(std::string path, const nlohmann::json& report);
  CalibrationInput(std::string path, std::vector<ResultRow> rows, nlohmann::json source);
};

struct CalibrateOptions {
  // Fit every row at this link level; none: at the level each row recorded (rows without one,
  // from older reports or imported logs, as not recorded: "world" in the calibration).
  std::optional<LinkLevel> level;
  int folds = 0;  // 0: leave one size out
  bool allowBreak = true;
  std::string commandLine;
};

// `hockney fit`: fits every group of rows. Throws UsageError naming the file or group for
// malformed or unusable input; groups that cannot be fitted while others can are listed under
// "skipped" (and in warnings).
Calibration fitCalibration(const std::vector<CalibrationInput>& inputs, const CalibrateOptions& o,
                           std::vector<std::string>& warnings);

// The fit table people read: per fit and piece α, bandwidth, reduction rate, where the piece
// starts, and the held-out errors (median, p90, worst and its size), flagged fits marked; then
// the predicted fastest algorithm per size range.
std::string formatFitTable(const Calibration& calibration);

// A row as the fit sees it: its own cost coefficients (black boxes: 1 and its bytes) and its
// median time in seconds.
FitPoint fitPointOf(const ResultRow& row);

// Reads a results report; throws UsageError for unreadable, malformed or foreign JSON.
CalibrationInput readResultsReport(const std::string& path);

}  // namespace hockney
