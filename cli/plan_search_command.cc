// hockney plan --gpus: the search (model/plan_search.h), its ranked tables and the fabrics side
// by side.
#include <fmt/format.h>

#include <cstdlib>

#include "cli/commands.h"
#include "collectives/core/error.h"
#include "collectives/core/split.h"
#include "model/plan_search.h"
#include "reports/results.h"

namespace hockney {

namespace {

std::vector<int> parseGpuCounts(const std::string& text) {
  std::vector<int> out;
  for (const std::string& part : splitCommas(text)) {
    const auto v = wholeNumber(part);
    HOCKNEY_USAGE_CHECK(v.has_value(), "--gpus takes GPU counts separated by commas, not '{}'",
                        text);
    HOCKNEY_USAGE_CHECK(*v >= 1 && *v <= kMaxLayoutGpus, "--gpus {} is out of range (1..{})", *v,
                        kMaxLayoutGpus);
    out.push_back(static_cast<int>(*v));
  }
  HOCKNEY_USAGE_CHECK(!out.empty(), "--gpus names no GPU count");
  return out;
}

// NAME=CAL[,CAL...]
NamedCalibration parseFabric(const std::string& text, VendorScaling scaling) {
  const size_t eq = text.find('=');
  HOCKNEY_USAGE_CHECK(eq != std::string::npos && eq > 0 && eq + 1 < text.size(),
                      "--fabric takes NAME=CALIBRATION[,CALIBRATION...], not '{}'", text);
  NamedCalibration f{text.substr(0, eq), loadCalibrations(splitCommas(text.substr(eq + 1)))};
  f.calibration.vendorScaling = scaling;
  return f;
}

std::string fabricNameOf(const std::vector<std::string>& calibrations) {
  std::string name;
  for (const std::string& c : calibrations)
    name += (name.empty() ? "" : "+") + (c.rfind("ref:", 0) == 0 ? c.substr(4) : c);
  return name;
}

}  // namespace

int PlanCommand::search(const StepArgs::Resolved& r, const PlanOptions& options) {
  HOCKNEY_USAGE_CHECK(fabrics_.empty() != args_.calibrations.empty(),
                      "the search prices with --calibration (one fabric) or --fabric NAME=CAL "
                      "(repeated), {}",
                      fabrics_.empty() ? "not neither" : "not both");
  std::vector<NamedCalibration> fabrics;
  if (fabrics_.empty()) {
    fabrics.push_back({fabricNameOf(args_.calibrations), r.calibration});
  } else {
    for (const std::string& f : fabrics_)
      fabrics.push_back(parseFabric(f, r.calibration.vendorScaling));
  }
  for (size_t i = 0; i < fabrics.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      HOCKNEY_USAGE_CHECK(fabrics[i].name != fabrics[j].name, "--fabric {} is named twice",
                          fabrics[i].name);
  // What the user gave is fixed; the rest is searched.
  SearchFixed fixed;
  const TrainingOptions& o = r.training;
  auto given = [this](const char* option) { return sub_->get_option(option)->count() > 0; };
  if (given("--zero")) fixed.zero = o.zero;
  if (given("--interleave")) fixed.interleave = o.interleave;
  if (given("--micro-batch")) fixed.microBatch = o.microBatch;
  if (given("--recompute")) fixed.recompute = o.recompute;
  if (given("--sequence-parallel")) fixed.sequenceParallel = true;
  fixed.allowCrossNodeTp = allowCrossNodeTp_;
  const SearchReport report =
      searchLayouts(r.model, parseGpuCounts(gpus_), options, fixed, fabrics);
  fmt::print("# {} on {} (peak {:.0f} TFLOP/s, {:.0f} GB), {} GPUs/node, batch {} x seq {}\n",
             r.model.name, options.gpu.name, options.gpu.peakFlops / 1e12,
             options.gpu.hbmBytes / 1e9, o.gpusPerNode, globalBatchOf(r.model, o),
             o.seqLen > 0 ? o.seqLen : r.model.seqLen);
  for (const GpuCountSearch& c : report.counts) {
    fmt::print(
        "# {} GPUs: {} layouts enumerated, {} dropped (more than {:.0f} GB per GPU), {} priced "
        "on each fabric\n",
        c.gpus, c.enumerated, c.prunedByMemory, options.gpu.hbmBytes / 1e9, c.priced);
    if (c.priced == 0) {
      fmt::print("#   none fits: the smallest needs {:.1f} GB per GPU ({})\n",
                 c.smallestMemoryBytes / 1e9, c.smallestMemoryLayout);
      continue;
    }
    for (const FabricRanking& f : c.fabrics) {
      fmt::print("# fabric {}: {} GPUs, the {} fastest of {}\n", f.fabric, c.gpus,
                 std::min<size_t>(top_, f.ranked.size()), f.ranked.size());
      fmt::print("  {:>4} {:>9} {:>10} {:>6} {:>10} {:>5} {:>9} {:>7}  {}\n", "rank", "step_s",
                 "tokens/s", "MFU", "exposed_ms", "most", "bubble_ms", "mem_GB", "layout");
      bool flagged = false;
      for (size_t i = 0; i < f.ranked.size() && i < static_cast<size_t>(top_); ++i) {
        const StepPlan& p = f.ranked[i].plan;
        const std::string most = p.mostExposedGroup();
        const bool otherLevels = pricedWithOtherLevels(p);
        flagged = flagged || otherLevels;
        fmt::print("  {:>4} {:>9.3f} {:>10.0f} {:>5.1f}% {:>10.1f} {:>5} {:>9.1f} {:>7.1f}  {}{}\n",
                   i + 1, p.stepMs / 1e3, p.tokensPerSecond, p.mfu * 100, p.exposedCommMs, most,
                   p.bubbleMs, p.memory.total() / 1e9, f.ranked[i].candidate.label(),
                   otherLevels ? "  *" : "");
      }
      if (flagged)
        fmt::print(
            "#   * a group crosses a level fabric {} has no fits for (priced with another "
            "level's, see hockney plan --layout for the notes): such a layout's rank is not to "
            "be trusted; give the fabric that level (--fabric NAME=NODE.json,NETWORK.json)\n",
            f.fabric);
    }
    for (const FabricComparison& f : compareFabrics(c)) {
      const double ratio = f.aOverB();
      fmt::print(
          "# {} GPUs: fabric {}'s best layout is {:.2f}x {} than {}'s ({:.3f} s against "
          "{:.3f} s); {}\n",
          c.gpus, f.b, ratio >= 1 ? ratio : 1 / ratio, ratio >= 1 ? "faster" : "slower", f.a,
          f.bestB->plan.stepMs / 1e3, f.bestA->plan.stepMs / 1e3,
          f.bestLayoutChanges()
              ? fmt::format("with {} the best layout changes from {} to {}", f.b,
                            f.bestA->candidate.label(), f.bestB->candidate.label())
              : "the best layout is the same");
    }
  }
  fmt::print("# searched in {:.2f} s\n", report.seconds);
  if (!out_.empty()) {
    nlohmann::json j = report.toJson();
    j["top"] = top_;  // what the table printed; the report holds every ranked layout
    writeFileAtomically(out_, reportText(j));
    fmt::print("# written to {}\n", out_);
  }
  return 0;
}

}  // namespace hockney
