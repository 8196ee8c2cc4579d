#include "reports/pair_matrix.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "collectives/core/error.h"
#include "reports/stats.h"

namespace hockney {
namespace {

using nlohmann::json;

// Median absolute deviation, scaled to estimate a standard deviation (×1.4826).
double mad(const std::vector<double>& v, double m) {
  std::vector<double> d;
  for (double x : v) d.push_back(std::fabs(x - m));
  return 1.4826 * median(d);
}

std::string heldIn(int held, int repeats) {
  return fmt::format("; held in {} of {} repeats (confidence {:.2f})", held, repeats,
                     static_cast<double>(held) / repeats);
}

double margin(double m, double spread, double floor) {
  return std::max(kMadFactor * spread, floor * m);
}

}  // namespace

void to_json(json& j, const PairRow& r) {
  j = json{{"a", r.a},
           {"b", r.b},
           {"host_a", r.hostA},
           {"host_b", r.hostB},
           {"level", name(r.level)},
           {"round", r.round},
           {"latency_us", r.latencyUs},
           {"bandwidth_gbps", r.bandwidthGBps},
           {"check", r.check}};
  if (!r.checkDetail.empty()) j["check_detail"] = r.checkDetail;
  if (!r.latencyUsByRepeat.empty()) {
    j["latency_us_repeats"] = r.latencyUsByRepeat;
    j["bandwidth_gbps_repeats"] = r.bandwidthGBpsByRepeat;
  }
}

void from_json(const json& j, PairRow& r) {
  j.at("a").get_to(r.a);
  j.at("b").get_to(r.b);
  j.at("host_a").get_to(r.hostA);
  j.at("host_b").get_to(r.hostB);
  const std::string level = j.at("level").get<std::string>();
  const std::optional<LinkLevel> known = parseLinkLevel(level);
  HOCKNEY_USAGE_CHECK(known.has_value(), "level \"{}\" is not a link level ({})", level,
                      linkLevelNames());
  r.level = *known;
  r.round = j.value("round", 0);
  j.at("latency_us").get_to(r.latencyUs);
  j.at("bandwidth_gbps").get_to(r.bandwidthGBps);
  j.at("check").get_to(r.check);
  r.checkDetail = j.value("check_detail", std::string());
  r.latencyUsByRepeat = j.value("latency_us_repeats", std::vector<double>());
  r.bandwidthGBpsByRepeat = j.value("bandwidth_gbps_repeats", std::vector<double>());
}

PairAnalysis analysePairs(const std::vector<PairRow>& rows) {
  PairAnalysis out;
  std::map<LinkLevel, std::vector<const PairRow*>> byLevel;
  for (const PairRow& r : rows)
    if (r.check == "pass") byLevel[r.level].push_back(&r);
  for (const auto& [level, pairs] : byLevel) {
    std::vector<double> lat, bw;
    for (const PairRow* r : pairs) {
      lat.push_back(r->latencyUs);
      bw.push_back(r->bandwidthGBps);
    }
    LevelSummary s;
    s.level = level;
    s.pairs = static_cast<int>(pairs.size());
    s.medianLatencyUs = median(lat);
    s.madLatencyUs = mad(lat, s.medianLatencyUs);
    s.medianBandwidthGBps = median(bw);
    s.madBandwidthGBps = mad(bw, s.medianBandwidthGBps);
    out.levels.push_back(s);

    // Hosts: each one's median over its pairs of this level, against the other hosts'.
    std::map<std::string, std::vector<double>> hostLat, hostBw;
    for (const PairRow* r : pairs)
      for (const std::string& h : std::set<std::string>{r->hostA, r->hostB}) {
        hostLat[h].push_back(r->latencyUs);
        hostBw[h].push_back(r->bandwidthGBps);
      }
    std::map<std::string, double> scoreLat, scoreBw;
    std::vector<double> lats, bws;
    for (const auto& [h, v] : hostBw) {
      scoreBw[h] = median(v);
      scoreLat[h] = median(hostLat[h]);
      bws.push_back(scoreBw[h]);
      lats.push_back(scoreLat[h]);
    }
    if (hostBw.size() >= 3) {  // with two hosts, every pair has both: no host stands out
      const double mb = median(bws), ml = median(lats);
      const double sb = mad(bws, mb), sl = mad(lats, ml);
      for (const auto& [h, v] : scoreBw) {
        const int n = static_cast<int>(hostBw[h].size());
        if (v < mb - margin(mb, sb, kBandwidthFloor))
          out.hosts.push_back({h, level, "bandwidth", v, mb, n});
        if (scoreLat[h] > ml + margin(ml, sl, kLatencyFloor))
          out.hosts.push_back({h, level, "latency", scoreLat[h], ml, n});
      }
    }
    // Links: far below what both of their hosts deliver (hosts' medians), or, with fewer than
    // three hosts, far off the level's median.
    for (const PairRow* r : pairs) {
      const bool byHost = hostBw.size() >= 3;
      const double expectBw =
          byHost ? std::min(scoreBw[r->hostA], scoreBw[r->hostB]) : s.medianBandwidthGBps;
      const double expectLat =
          byHost ? std::max(scoreLat[r->hostA], scoreLat[r->hostB]) : s.medianLatencyUs;
      // The level's own spread counts as well, with hosts to compare against: a link is far
      // off only beyond what the level's pairs scatter anyway.
      const double sb = s.madBandwidthGBps, sl = s.madLatencyUs;
      if (r->bandwidthGBps < expectBw - margin(expectBw, sb, kBandwidthFloor))
        out.links.push_back(
            {r->a, r->b, r->hostA, r->hostB, level, "bandwidth", r->bandwidthGBps, expectBw});
      if (r->latencyUs > expectLat + margin(expectLat, sl, kLatencyFloor))
        out.links.push_back(
            {r->a, r->b, r->hostA, r->hostB, level, "latency", r->latencyUs, expectLat});
    }
  }
  return out;
}

std::vector<PairRow> combineRepeats(const std::vector<std::vector<PairRow>>& repeats) {
  std::map<std::pair<int, int>, std::vector<const PairRow*>> byPair;
  for (const auto& rows : repeats)
    for (const PairRow& r : rows) byPair[{r.a, r.b}].push_back(&r);
  std::vector<PairRow> out;
  for (const auto& [key, seen] : byPair) {
    PairRow c = *seen.front();
    std::vector<double> lat, bw;
    for (const PairRow* r : seen) {
      lat.push_back(r->latencyUs);
      bw.push_back(r->bandwidthGBps);
      if (r->check == "fail" && c.check == "pass") {
        c.check = "fail";
        c.checkDetail = r->checkDetail;
      }
    }
    c.latencyUs = median(lat);
    c.bandwidthGBps = median(bw);
    if (seen.size() > 1) {
      c.latencyUsByRepeat = lat;
      c.bandwidthGBpsByRepeat = bw;
    }
    out.push_back(c);
  }
  return out;
}

PairAnalysis analysePairRepeats(const std::vector<std::vector<PairRow>>& repeats,
                                const std::vector<PairRow>& combined) {
  PairAnalysis out = analysePairs(combined);
  const int n = static_cast<int>(repeats.size());
  std::map<std::tuple<std::string, LinkLevel, std::string>, std::vector<HostOutlier>> hosts;
  std::map<std::tuple<int, int, LinkLevel, std::string>, std::vector<LinkOutlier>> links;
  for (const auto& rows : repeats) {
    const PairAnalysis one = analysePairs(rows);
    for (const HostOutlier& h : one.hosts) hosts[{h.host, h.level, h.metric}].push_back(h);
    for (const LinkOutlier& l : one.links) links[{l.a, l.b, l.level, l.metric}].push_back(l);
  }
  out.hosts.clear();
  out.links.clear();
  // A verdict is kept when it held in more than half the repeats; its figures are the medians
  // of the repeats in which it held.
  auto keep = [n](const auto& groups, auto& kept, auto reference) {
    for (const auto& [key, seen] : groups) {
      if (2 * static_cast<int>(seen.size()) <= n) continue;
      auto verdict = seen.front();
      std::vector<double> values, references;
      for (const auto& x : seen) {
        values.push_back(x.value);
        references.push_back(x.*reference);
      }
      verdict.value = median(values);
      verdict.*reference = median(references);
      verdict.heldIn = static_cast<int>(seen.size());
      verdict.repeats = n;
      kept.push_back(verdict);
    }
  };
  keep(hosts, out.hosts, &HostOutlier::levelMedian);
  keep(links, out.links, &LinkOutlier::expected);
  return out;
}

json toJson(const PairAnalysis& a) {
  json levels = json::object(), hosts = json::array(), links = json::array();
  for (const LevelSummary& s : a.levels)
    levels[std::string(name(s.level))] = {{"pairs", s.pairs},
                                          {"median_latency_us", s.medianLatencyUs},
                                          {"mad_latency_us", s.madLatencyUs},
                                          {"median_bandwidth_gbps", s.medianBandwidthGBps},
                                          {"mad_bandwidth_gbps", s.madBandwidthGBps}};
  for (const HostOutlier& h : a.hosts)
    hosts.push_back({{"host", h.host},
                     {"level", name(h.level)},
                     {"metric", h.metric},
                     {"value", h.value},
                     {"hosts_median", h.levelMedian},
                     {"pairs", h.pairs},
                     {"held_in", h.heldIn},
                     {"repeats", h.repeats},
                     {"confidence", h.confidence()}});
  for (const LinkOutlier& l : a.links)
    links.push_back({{"a", l.a},
                     {"b", l.b},
                     {"host_a", l.hostA},
                     {"host_b", l.hostB},
                     {"level", name(l.level)},
                     {"metric", l.metric},
                     {"value", l.value},
                     {"expected", l.expected},
                     {"held_in", l.heldIn},
                     {"repeats", l.repeats},
                     {"confidence", l.confidence()}});
  return {{"levels", levels}, {"outliers", {{"hosts", hosts}, {"links", links}}}};
}

std::string formatPairAnalysis(const PairAnalysis& a) {
  std::string out = fmt::format("# {:<8} {:>6} {:>14} {:>16} {:>12}\n", "level", "pairs",
                                "latency_us", "bandwidth_GB/s", "Mbit/s");
  for (const LevelSummary& s : a.levels)
    out += fmt::format("  {:<8} {:>6} {:>14.2f} {:>16.4f} {:>12.0f}\n", name(s.level), s.pairs,
                       s.medianLatencyUs, s.medianBandwidthGBps, s.medianBandwidthGBps * 8e3);
  if (a.hosts.empty() && a.links.empty()) {
    out += "# outliers: none (every host and link within its level's spread)\n";
    return out;
  }
  for (const HostOutlier& h : a.hosts)
    out += h.metric == "bandwidth"
               ? fmt::format(
                     "# SLOW HOST {}: {} bandwidth {:.4f} GB/s ({:.0f} Mbit/s) against a "
                     "median of {:.4f} GB/s over hosts ({} pairs){}\n",
                     h.host, name(h.level), h.value, h.value * 8e3, h.levelMedian, h.pairs,
                     heldIn(h.heldIn, h.repeats))
               : fmt::format(
                     "# SLOW HOST {}: {} latency {:.2f} us against a median of {:.2f} us "
                     "over hosts ({} pairs){}\n",
                     h.host, name(h.level), h.value, h.levelMedian, h.pairs,
                     heldIn(h.heldIn, h.repeats));
  for (const LinkOutlier& l : a.links)
    out += fmt::format("# SLOW LINK {}({}) - {}({}): {} {} {:.4g}, expected about {:.4g}{}\n", l.a,
                       l.hostA, l.b, l.hostB, name(l.level), l.metric, l.value, l.expected,
                       heldIn(l.heldIn, l.repeats));
  return out;
}

}  // namespace hockney
