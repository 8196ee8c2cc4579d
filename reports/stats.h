#pragma once
// Statistics over per-iteration times (each already the maximum over ranks), and the two
// anomalies the tool points out: bimodal iterations and a cliff in time per byte.
#include <span>
#include <vector>

namespace hockney {

struct Summary {
  double min = 0, median = 0, mean = 0, p95 = 0, p99 = 0, max = 0;
  Summary scaled(double factor) const {
    return {min * factor, median * factor, mean * factor, p95 * factor, p99 * factor, max * factor};
  }
};

// Percentiles by linear interpolation between closest ranks. Empty input gives zeros.
Summary summarize(std::span<const double> samples);
double percentile(std::vector<double> sorted, double q);
double median(std::vector<double> samples);  // any order; 0 for none

// True when the sorted samples split at a gap of more than 2x with at least 10% on each side.
bool isBimodal(std::span<const double> samples);

// Indices i (in size order) whose time per byte is more than `ratio` times that of the size
// before, both at least minBytes: where a protocol or allocator falls off a cliff.
std::vector<size_t> cliffs(std::span<const double> bytes, std::span<const double> medianTimes,
                           double ratio = 1.6, double minBytes = 64 * 1024);

}  // namespace hockney
