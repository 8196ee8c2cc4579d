// The fit table people read (hockney fit, hockney calibrate), printed from the typed calibration.
#include <fmt/format.h>

#include <cmath>
#include <map>

#include "model/calibration.h"

namespace hockney {
namespace {

std::string rate(double secondsPerByte) {  // GB/s, "-" when unfitted
  return secondsPerByte > 0 ? fmt::format("{:.3f}", 1e-9 / secondsPerByte) : std::string("-");
}

std::string ranksOf(const CalibratedFit& f) {
  if (f.blackBox && !f.scaling.empty())
    return fmt::format("{}-{}", f.measuredRanks.front(), f.measuredRanks.back());
  if (f.blackBox) return std::to_string(f.ranks);
  return f.measuredRanks.size() == 1 ? std::to_string(f.measuredRanks[0]) : std::string("pooled");
}

// A held-out error, or '-' where the fit's errors are unknown (never 0: nothing was checked).
std::string errorOf(const CalibratedFit& f, double percent) {
  return f.underDetermined() ? std::string("-") : fmt::format("{:.1f}", percent);
}

}  // namespace

std::string formatFitTable(const Calibration& cal) {
  std::string out = fmt::format(
      "# {:<9} {:<15} {:<19} {:<7} {:<8} {:<4} {:>6} {:>10} {:>9} {:>8} {:>8} {:>6} {:>6} {:>6} "
      "{:>14}\n",
      "backend", "pattern", "algorithm", "level", "dtype", "buf", "ranks", "from_B", "alpha_us",
      "bw_GB/s", "red_GB/s", "R2", "med%", "p90%", "worst%@bytes");
  for (const CalibratedFit& f : cal.fits) {
    const bool flagged = !f.qualityWarnings.empty();
    for (size_t i = 0; i < f.pieces.size(); ++i) {
      const Piece& p = f.pieces[i];
      const bool first = i == 0;
      const bool withGamma = !f.blackBox && f.gamma;
      out += fmt::format(
          "{} {:<9} {:<15} {:<19} {:<7} {:<8} {:<4} {:>6} {:>10.0f} {:>9.3f} {:>8} {:>8} {:>6} "
          "{:>6} {:>6} {:>14}\n",
          first && flagged ? "!" : " ", first ? f.backend : "", first ? f.pattern : "",
          first ? f.algorithm + (f.scaling.empty() ? "" : " (" + f.scaling + ")")
                : "  (next regime)",
          first ? std::string(name(f.level)) : "", first ? f.dtype : "",
          first ? f.buffers + (f.inPlace ? "/ip" : "") : "", first ? ranksOf(f) : "", p.fromBytes,
          p.coeffs.alpha * 1e6, rate(p.coeffs.beta),
          withGamma ? rate(p.coeffs.gamma) : std::string("-"),
          first ? fmt::format("{:.3f}", f.r2) : "", first ? errorOf(f, 100 * f.heldOut.median) : "",
          first ? errorOf(f, 100 * f.heldOut.p90) : "",
          first ? (f.underDetermined()
                       ? std::string("-")
                       : fmt::format("{:.0f}@{:.0f}", 100 * f.heldOut.worst, f.heldOut.worstBytes))
                : "");
    }
  }
  // Vendor fits across rank counts: each rank count predicted by a fit that did not see it.
  for (const CalibratedFit& f : cal.fits) {
    if (f.scaling.empty()) continue;
    std::vector<std::string> per;
    for (const auto& [p, median] : f.acrossRanksMedian)
      per.push_back(fmt::format("{}: {:.1f}%", p, 100 * median));
    out += fmt::format(
        "# {}/{}/vendor{} {} across {} ranks ({}; bw is bus bandwidth): leaving one rank count "
        "out, "
        "median {:.1f}%, p90 {:.1f}%, worst {:.0f}% (median per rank count: {})\n",
        f.backend, f.pattern, f.inPlace ? " in-place" : "", name(f.level),
        fmt::join(f.measuredRanks, ", "), f.scaling, 100 * f.acrossRanks.median,
        100 * f.acrossRanks.p90, 100 * f.acrossRanks.worst, fmt::join(per, ", "));
  }
  // A warning every fit carries (the host drifted) is said once.
  std::map<std::string, size_t> count;
  for (const CalibratedFit& f : cal.fits)
    for (const std::string& w : f.qualityWarnings) ++count[w];
  const size_t fits = cal.fits.size();
  for (const auto& [w, n] : count)
    if (fits > 1 && n == fits) out += fmt::format("# ! every fit: {}\n", w);
  for (const CalibratedFit& f : cal.fits)
    for (const std::string& w : f.qualityWarnings)
      if (fits <= 1 || count[w] != fits)
        out += fmt::format("# ! {}/{}/{} {}: {}\n", f.backend, f.pattern, f.algorithm, f.dtype, w);
  for (const ComposedCheck& c : cal.composed) {
    const double largest = c.points.empty() ? 0 : c.points.back().bytes;
    out += fmt::format(
        "# composed {}/{} {} on {} hosts x {} ({} within hosts, {} across): median error {:.1f}% "
        "over {} size(s){}\n",
        c.pattern, c.algorithm, c.dtype, c.hosts, c.ranksPerHost, c.nodeFit, c.networkFit,
        100 * c.medianRelErr, c.medianOver,
        largest > c.networkFitUpTo && c.networkFitUpTo > 0
            ? fmt::format(" (the network fit measured up to {:.0f} B: extrapolated)",
                          c.networkFitUpTo)
            : "");
  }
  for (const Selection& s : cal.selection) {
    out += fmt::format("# fastest {} at {} ranks:", s.pattern, s.ranks);
    for (const SelectionRange& r : s.ranges)
      out += fmt::format(" [{}..{} B] {}", r.fromBytes, r.toBytes, r.algorithm);
    out += "\n";
  }
  return out;
}

}  // namespace hockney
