#include "model/vendor.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "collectives/core/error.h"
#include "collectives/registry.h"

namespace hockney {

std::optional<VendorScaling> parseVendorScaling(std::string_view n) {
  if (n == "ring") return VendorScaling::kRing;
  if (n == "tree") return VendorScaling::kTree;
  if (n == "auto") return VendorScaling::kAuto;
  return std::nullopt;
}

std::string_view name(VendorScaling s) {
  switch (s) {
    case VendorScaling::kRing:
      return "ring";
    case VendorScaling::kTree:
      return "tree";
    case VendorScaling::kAuto:
      return "auto";
  }
  return "auto";
}

double latencySteps(std::string_view pattern, std::string_view scaling, int p) {
  if (findPattern(pattern).facts.pointToPoint || p < 2) return 1;
  return scaling == "tree" ? std::ceil(std::log2(static_cast<double>(p)))
                           : static_cast<double>(p - 1);
}

Cost busCost(std::string_view pattern, std::string_view scaling, int p, double bytes) {
  return {latencySteps(pattern, scaling, p), bytes * findPattern(pattern).facts.busFactor(p), 0};
}

namespace {

std::string growth(std::string_view scaling) {
  return scaling == "tree" ? "the latency grows as log2 p (tree)"
                           : "the latency grows as p - 1 (ring)";
}

// The scaling a call uses: the one asked for, or under auto tree where the latency term of the
// fit's ring reading is the larger part of the call, ring where the bytes are.
std::string chooseScaling(VendorScaling s, const CalibratedFit& fit, const Cost& ringCost,
                          double bytes) {
  if (s != VendorScaling::kAuto) return std::string(name(s));
  const double latency = fit.predict({ringCost.alphaCount, 0, 0}, bytes);
  const double transfer = fit.predict({0, ringCost.betaBytes, 0}, bytes);
  return latency > transfer ? "tree" : "ring";
}

std::string perHostNote(const CalibratedFit& fit, int ranksPerNode) {
  if (fit.ranksPerHost <= 0 || fit.ranksPerHost == ranksPerNode) return "";
  return fmt::format(
      "; its log ran {} ranks per host and the group has {}: priced as if each rank kept the bus "
      "bandwidth it had there",
      fit.ranksPerHost, ranksPerNode);
}

}  // namespace

std::vector<CalibratedFit> fitAcrossRanks(const std::vector<VendorSeries>& series,
                                          const FitOptions& options,
                                          std::vector<std::string>& warnings) {
  std::map<std::string, std::vector<const VendorSeries*>> groups;
  for (const VendorSeries& s : series) {
    const CalibratedFit& f = *s.fit;
    if (!f.scaling.empty() || findPattern(f.pattern).facts.pointToPoint) continue;
    groups[fmt::format("{}|{}|{}|{}|{}|{}|{}", f.backend, f.pattern, f.algorithm, f.dtype,
                       f.buffers, name(f.level), f.inPlace)]
        .push_back(&s);
  }
  std::vector<CalibratedFit> out;
  for (const auto& [key, members] : groups) {
    std::set<int> ranks;
    for (const VendorSeries* s : members) ranks.insert(s->fit->ranks);
    if (ranks.size() < 3) continue;
    const CalibratedFit& first = *members.front()->fit;
    for (const char* scaling : {"ring", "tree"}) {
      std::vector<FitPoint> points;
      for (const VendorSeries* s : members)
        for (FitPoint x : s->points) {
          const Cost c = busCost(first.pattern, scaling, s->fit->ranks, x.bytes);
          x.a = c.alphaCount;
          x.b = c.betaBytes;
          x.c = 0;
          points.push_back(x);
        }
      FitOptions fo = options;
      fo.useGamma = false;
      try {
        const FitResult all = fitPoints(points, fo);
        // Leave one rank count out: fitted on the others, checked on it.
        std::vector<double> errors;
        CalibratedFit fit = first;
        fit.acrossRanksMedian.clear();
        for (int p : ranks) {
          std::vector<FitPoint> train, test;
          for (const FitPoint& x : points) (x.ranks == p ? test : train).push_back(x);
          const FitResult f = fitPoints(train, fo);
          std::vector<double> here;
          for (const FitPoint& x : test) here.push_back(std::abs(f.predict(x) / x.seconds - 1));
          std::sort(here.begin(), here.end());
          fit.acrossRanksMedian.emplace_back(p, here[here.size() / 2]);
          errors.insert(errors.end(), here.begin(), here.end());
        }
        std::sort(errors.begin(), errors.end());
        fit.acrossRanks = {errors[errors.size() / 2],
                           errors[std::min(errors.size() - 1, errors.size() * 9 / 10)],
                           errors.back(),
                           0,
                           errors.size(),
                           0};
        fit.scaling = scaling;
        fit.ranks = 0;
        fit.measuredRanks.assign(ranks.begin(), ranks.end());
        fit.model = fmt::format(
            "t = alpha * g(p) + bytes * factor(p) * beta_bus across rank counts ({}: g(p) = {})",
            scaling, std::string_view(scaling) == "tree" ? "ceil(log2 p)" : "p - 1");
        fit.pieces = all.pieces;
        fit.breaks = all.breaks;
        fit.r2 = all.r2;
        fit.heldOut = {all.heldOutMedianRelErr, all.heldOutP90RelErr, all.heldOutWorstRelErr,
                       all.worstBytes,          all.heldOutPoints,    all.folds};
        fit.points = points.size();
        fit.sizes = all.sizes;
        std::set<std::string> sources;
        std::set<int> perHost;
        for (const VendorSeries* s : members) {
          sources.insert(s->fit->sources.begin(), s->fit->sources.end());
          perHost.insert(s->fit->ranksPerHost);
        }
        fit.sources.assign(sources.begin(), sources.end());
        fit.ranksPerHost = perHost.size() == 1 ? *perHost.begin() : 0;
        fit.qualityWarnings.clear();
        if (fit.acrossRanks.p90 > kQualityP90)
          fit.qualityWarnings.push_back(
              fmt::format("held-out p90 error across rank counts {:.0f}% (over {:.0f}%)",
                          100 * fit.acrossRanks.p90, 100 * kQualityP90));
        if (all.heldOutP90RelErr > kQualityP90)
          fit.qualityWarnings.push_back(fmt::format("held-out p90 error {:.0f}% (over {:.0f}%)",
                                                    100 * all.heldOutP90RelErr, 100 * kQualityP90));
        for (const std::string& w : fit.qualityWarnings)
          warnings.push_back(fmt::format("{}/{}/vendor across {} ranks ({}): poor fit: {}",
                                         fit.backend, fit.pattern, fmt::join(ranks, ", "), scaling,
                                         w));
        out.push_back(std::move(fit));
      } catch (const UsageError& e) {
        warnings.push_back(fmt::format("cannot fit {}/{}/vendor across {} ranks ({}): {}",
                                       first.backend, first.pattern, fmt::join(ranks, ", "),
                                       scaling, e.what()));
      }
    }
  }
  return out;
}

std::optional<VendorPrice> priceVendor(const CommItem& item, int ranksPerNode,
                                       const std::vector<const CalibratedFit*>& fits,
                                       VendorScaling scaling) {
  const int q = item.ranks;
  const double n = item.bytes;
  std::vector<const CalibratedFit*> single, across;
  for (const CalibratedFit* f : fits) (f->scaling.empty() ? single : across).push_back(f);
  if (findPattern(item.pattern).facts.pointToPoint) {
    // Each message is between one pair, whatever the ranks the log ran on.
    if (single.empty()) return std::nullopt;
    const CalibratedFit* f = single.front();
    for (const CalibratedFit* s : single)
      if (s->ranks == q) f = s;
    return VendorPrice{f->predict({1, n, 0}, n), f, ""};
  }
  for (const CalibratedFit* f : single)
    if (f->ranks == q) return VendorPrice{f->predict({1, n, 0}, n), f, ""};
  if (!across.empty()) {
    const CalibratedFit* ring = nullptr;
    for (const CalibratedFit* f : across)
      if (f->scaling == "ring") ring = f;
    const CalibratedFit& reference = ring ? *ring : *across.front();
    const std::string s = chooseScaling(scaling, reference, busCost(item.pattern, "ring", q, n), n);
    for (const CalibratedFit* f : across) {
      if (f->scaling != s) continue;
      return VendorPrice{
          f->predict(busCost(item.pattern, s, q, n), n), f,
          fmt::format("priced by bus bandwidth from a vendor fit across {} ranks ({}; held-out "
                      "across rank counts: median {:.1f}%){}",
                      fmt::join(f->measuredRanks, ", "), growth(s), 100 * f->acrossRanks.median,
                      perHostNote(*f, ranksPerNode))};
    }
  }
  // The rank count closest to the group's (on a log scale; the larger on a tie).
  const CalibratedFit* nearest = nullptr;
  auto distance = [&](const CalibratedFit* f) {
    return std::abs(std::log(static_cast<double>(f->ranks) / q));
  };
  for (const CalibratedFit* f : single) {
    if (f->ranks < 2) continue;
    if (!nearest || distance(f) < distance(nearest) - 1e-12 ||
        (std::abs(distance(f) - distance(nearest)) < 1e-12 && f->ranks > nearest->ranks))
      nearest = f;
  }
  if (!nearest) return std::nullopt;
  // Its α is g(p) steps and its per-byte time factor(p) bus bytes: at q, g(q) steps and
  // factor(q) bus bytes of the same cost.
  const int p = nearest->ranks;
  const std::string s = chooseScaling(scaling, *nearest, {1, n, 0}, n);
  const double steps = latencySteps(item.pattern, s, q) / latencySteps(item.pattern, s, p);
  const Pattern& pattern = findPattern(item.pattern);
  const double perByte = pattern.facts.busFactor(q) / pattern.facts.busFactor(p);
  const double t = nearest->predict({steps, n * perByte, 0}, n);
  return VendorPrice{t, nearest,
                     fmt::format("scaled from a {}-rank vendor fit by bus bandwidth ({}){}", p,
                                 growth(s), perHostNote(*nearest, ranksPerNode))};
}

VendorPrice priceSendFromBus(const CommItem& item, const CalibratedFit& fit) {
  const double n = item.bytes;
  // One ring step of the fit's latency, the bytes at its bus bandwidth: a fit at p ranks
  // holds g(p) steps in its α and factor(p) bus bytes in its per-byte time.
  Cost one{1, n, 0};
  if (fit.scaling.empty()) {
    one.alphaCount = 1 / latencySteps(fit.pattern, "ring", fit.ranks);
    one.betaBytes = n / findPattern(fit.pattern).facts.busFactor(fit.ranks);
  }
  return VendorPrice{
      fit.predict(one, n), &fit,
      fmt::format("{} messages priced from the '{}' {} vendor fit's bus bandwidth (one ring step "
                  "of its latency, the bytes at its bus bandwidth): the calibration has no "
                  "point-to-point fit (import nccl-tests' sendrecv_perf or OSU's osu_latency)",
                  item.group, name(fit.level), fit.pattern)};
}

}  // namespace hockney
