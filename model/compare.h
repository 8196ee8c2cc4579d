#pragma once
// `hockney compare A B`: two results reports (per point: time and bandwidth ratios B/A), or two
// calibrations (per fit: α, bandwidth and reduction rate side by side, and optionally a model
// step projected under each) — the interconnect comparison. Typed; toJson is the report.
#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/iteration.h"
#include "model/projection.h"

namespace hockney {

struct CompareProjection {
  const ModelSpec* model = nullptr;
  Layout layout;
  TrainingOptions options;
  std::string policy = "best";
};

// Which side is faster: A, B, a tie (within 3%), or unknown (a figure missing or zero).
enum class Faster { kUnknown, kA, kB, kTie };

struct PointComparison {
  std::string pattern, algorithm, dtype, op;
  int ranks = 0;
  size_t bytes = 0;
  double aMedianUs = 0, bMedianUs = 0, timeRatio = 0;  // ratios B/A (0 when A is 0)
  double aBusbwGbps = 0, bBusbwGbps = 0, busbwRatio = 0;
  Faster faster = Faster::kUnknown;
};

// A fit's first piece (small messages) and last piece (large messages), as compare reads them.
struct FitSide {
  double alphaUs = 0;
  std::optional<double> bandwidthGbps, reductionGbps;  // none when unfitted
  double bandwidthFromBytes = 0;
};

struct FitComparison {
  std::string backend, pattern, algorithm;
  LinkLevel level = LinkLevel::kUnrecorded;
  bool blackBox = false;
  int ranks = 0;                   // black boxes
  std::vector<int> measuredRanks;  // own algorithms
  FitSide a, b;
  std::optional<double> latencyRatio, bandwidthRatio;  // B/A; none when a side is missing
  Faster fasterSmall = Faster::kUnknown, fasterLarge = Faster::kUnknown;
  std::vector<std::string> notes;  // the flags either side's calibration gives the fit
};

struct StepComparison {
  std::string model;
  double aTotalMs = 0, bTotalMs = 0, totalRatio = 0;
  std::map<std::string, GroupCost> aGroups, bGroups;
  std::string aDominant, bDominant;
  Faster faster = Faster::kUnknown;
};

struct Comparison {
  std::string createdAt, pathA, pathB;
  std::string compares;  // "results" or "calibration"
  std::vector<std::string> notes;
  std::vector<PointComparison> points;  // results
  std::vector<FitComparison> fits;      // calibrations
  std::optional<StepComparison> projection;
  nlohmann::json toJson() const;
};

// Throws UsageError when the two files are not both results or both calibrations, or share no
// points/fits. Hot and cold buffers are not compared unless `force` (then a note says so).
Comparison compareFiles(const std::string& pathA, const std::string& pathB,
                        const std::optional<CompareProjection>& projection, bool force = false);

}  // namespace hockney
