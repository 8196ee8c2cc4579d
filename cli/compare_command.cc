#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.h"
#include "collectives/core/error.h"
#include "model/compare.h"
#include "reports/results.h"

namespace hockney {

CompareCommand::CompareCommand(CLI::App& app) {
  sub_ = app.add_subcommand("compare",
                            "Compare two results reports or two calibrations (e.g. two fabrics)");
  sub_->add_option("a", a_,
                   "first results.json or calibration.json (or ref:NAME, a reference fabric)")
      ->required();
  sub_->add_option("b", b_, "second file of the same kind")->required();
  sub_->add_option("--model", model_,
                   "with calibrations: also project this model's step under each");
  sub_->add_option("--layout", layout_, "tp=N,pp=N,dp=N[,ep=N] for --model");
  sub_->add_option("--gpus-per-node", o_.gpusPerNode, "GPUs per node for --model")
      ->check(positive())
      ->capture_default_str();
  sub_->add_option("--global-batch", o_.globalBatch, "sequences per step for --model")
      ->check(positive());
  sub_->add_option("--algo-policy", policy_, "best | ring | vendor")->capture_default_str();
  sub_->add_option("--out", out_, "comparison JSON to write");
  sub_->add_flag("--step-only", stepOnly_,
                 "with --model: print the two step projections only, not the fit comparison");
  sub_->add_flag("--force", force_,
                 "compare hot-buffer measurements with cold ones (refused otherwise)");
}

int CompareCommand::execute() {
  checkOutIsNotAnInput(out_, {a_, b_, model_});
  std::optional<CompareProjection> projection;
  ModelSpec model;
  if (!model_.empty()) {
    HOCKNEY_USAGE_CHECK(!layout_.empty(), "--model needs --layout");
    model = loadModel(model_);
    projection = CompareProjection{&model, parseLayout(layout_), o_, policy_};
  }
  const Comparison c = compareFiles(a_, b_, projection, force_);
  auto side = [](Faster f) {
    return f == Faster::kUnknown ? std::string("-")
           : f == Faster::kTie   ? std::string("tie")
           : f == Faster::kA     ? std::string("A")
                                 : std::string("B");
  };
  auto num = [](std::optional<double> v) {
    return v ? fmt::format("{:.3f}", *v) : std::string("-");
  };
  for (const auto& n : c.notes) fmt::print("# note: {}\n", n);
  if (c.compares == "results") {
    fmt::print("# {:<15} {:<19} {:>5} {:>12} {:>11} {:>11} {:>8} {:>9} {:>6}\n", "pattern",
               "algorithm", "ranks", "bytes", "A us", "B us", "B/A time", "B/A busbw", "faster");
    for (const PointComparison& p : c.points)
      fmt::print("  {:<15} {:<19} {:>5} {:>12} {:>11.2f} {:>11.2f} {:>8.2f} {:>9.2f} {:>6}\n",
                 p.pattern, p.algorithm, p.ranks, p.bytes, p.aMedianUs, p.bMedianUs, p.timeRatio,
                 p.busbwRatio, side(p.faster));
  } else {
    HOCKNEY_USAGE_CHECK(!stepOnly_ || c.projection, "--step-only needs --model");
    if (!stepOnly_) {
      fmt::print("# {:<15} {:<19} {:<6} {:>10} {:>10} {:>7} {:>9} {:>10} {:>10} {:>7} {:>9}\n",
                 "pattern", "algorithm", "level", "A alpha_us", "B alpha_us", "B/A", "faster",
                 "A GB/s", "B GB/s", "B/A", "faster");
      fmt::print("# {:<15} {:<19} {:<6} {:>39} {:>39}\n", "", "", "",
                 "small messages (first regime)", "large messages (last regime)");
      for (const FitComparison& f : c.fits)
        fmt::print("  {:<15} {:<19} {:<6} {:>10} {:>10} {:>7} {:>9} {:>10} {:>10} {:>7} {:>9}\n",
                   f.pattern, f.algorithm, name(f.level), num(f.a.alphaUs), num(f.b.alphaUs),
                   num(f.latencyRatio), side(f.fasterSmall), num(f.a.bandwidthGbps),
                   num(f.b.bandwidthGbps), num(f.bandwidthRatio), side(f.fasterLarge));
    }
    if (c.projection) {
      const StepComparison& pr = *c.projection;
      // Each group's time on either side and the level whose fits priced it ("node", or
      // "node (network fits)" where the calibration lacked the level the group crosses).
      auto level = [](const GroupCost& g) {
        std::vector<std::string> other;
        for (const std::string& l : g.pricedWithNames())
          if (l != name(g.level)) other.push_back(l);
        return other.empty() ? std::string(name(g.level))
                             : fmt::format("{} ({} fits)", name(g.level), fmt::join(other, "+"));
      };
      fmt::print("# {} per-step communication; A: {}, B: {}\n", pr.model, c.pathA, c.pathB);
      fmt::print("# {:<5} {:>12} {:<24} {:>12} {:<24} {:>8}\n", "group", "A ms", "A priced at",
                 "B ms", "B priced at", "B/A");
      for (const auto& [group, ga] : pr.aGroups) {
        auto gb = pr.bGroups.find(group);
        if (gb == pr.bGroups.end()) continue;
        const double ta = ga.timeMs, tb = gb->second.timeMs;
        fmt::print("  {:<5} {:>12.2f} {:<24} {:>12.2f} {:<24} {:>8}\n", group, ta, level(ga), tb,
                   level(gb->second), ta > 0 ? fmt::format("{:.2f}", tb / ta) : std::string("-"));
      }
      fmt::print("# {} step communication: A {:.2f} ms, B {:.2f} ms (B/A {:.2f}); faster: {}\n",
                 pr.model, pr.aTotalMs, pr.bTotalMs, pr.totalRatio, side(pr.faster));
    }
  }
  if (!out_.empty()) {
    writeFileAtomically(out_, reportText(c.toJson()));
    fmt::print("# written to {}\n", out_);
  }
  return 0;
}

}  // namespace hockney
