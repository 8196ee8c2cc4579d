#pragma once
// `hockney fit`: from results reports to calibration.json — one α-β-γ fit per (backend,
// pattern, algorithm, link level the rows crossed) over the algorithm's own cost coefficients (rank
// counts pooled: the coefficients already carry p), a black-box t = α' + n·β' per rank count for
// vendor collectives, fit quality on held-out sizes, the sources' provenance, and a selection table
// of the predicted fastest algorithm per pattern, rank count and size range.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "collectives/core/cost.h"
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

// One fit of calibration.json, typed: what projection prices with.
struct CalibratedFit {
  std::string backend, pattern, algorithm, level, dtype;
  std::string buffers = "hot";  // what the rows measured: "hot" or "cold" buffers
  bool blackBox = false;
  int ranks = 0;  // black boxes: the rank count they were measured at (0 for own algorithms)
  std::vector<int> measuredRanks;            // the rank counts the fit's rows came from
  std::vector<std::string> qualityWarnings;  // why the fit is not to be trusted; empty when fine
  std::vector<Piece> pieces;
  double largestMeasuredBytes = 0;  // the largest size behind the fit (0: not recorded)
  // Seconds for a call with these cost coefficients (black boxes: {1, bytes, 0}) at `bytes`.
  double predict(const Cost& c, double bytes) const;
};
// Throws UsageError naming `where` for a fit that lacks a field or has a wrong type.
CalibratedFit calibratedFitFromJson(const nlohmann::json& fit, const std::string& where);

struct CalibrationInput {
  std::string path;
  nlohmann::json report;
};

struct CalibrateOptions {
  // Fit every row at this link level; empty: at the level each row recorded (rows without one,
  // from older reports or imported logs, at "world").
  std::string level;
  int folds = 0;  // 0: leave one size out
  bool allowBreak = true;
  std::string commandLine;
};

// Throws UsageError naming the file or group for malformed or unusable input; groups that
// cannot be fitted while others can are listed under "skipped" (and in warnings).
nlohmann::json calibrate(const std::vector<CalibrationInput>& inputs, const CalibrateOptions& o,
                         std::vector<std::string>& warnings);

// The fit table people read: per fit and piece α, bandwidth, reduction rate, where the piece
// starts, and the held-out errors (median, p90, worst and its size), flagged fits marked; then
// the predicted fastest algorithm per size range.
std::string formatFitTable(const nlohmann::json& calibration);

// A row as the fit sees it: its own cost coefficients (black boxes: 1 and its bytes) and its
// median time in seconds.
FitPoint fitPointOf(const ResultRow& row);

// Reads a results report; throws UsageError for unreadable, malformed or foreign JSON.
CalibrationInput readResultsReport(const std::string& path);

}  // namespace hockney
