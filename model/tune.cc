#include "model/tune.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "collectives/core/error.h"
#include "collectives/registry.h"
#include "reports/json_io.h"
#include "reports/results.h"

namespace hockney {
namespace {

using nlohmann::json;

// The library's own choice: the plain vendor row (variants are "vendor:NAME").
constexpr std::string_view kLibraryChoice = "vendor";

// Open MPI's COLLTYPE_T (ompi/mca/coll/base/coll_base_functions.h), the ids of its rules file.
int ompiCollectiveId(const std::string& collective) {
  static const std::map<std::string, int> kIds{{"allgather", 0}, {"allreduce", 2},
                                               {"alltoallv", 4}, {"bcast", 7},
                                               {"reduce", 11},   {"reduce_scatter_block", 13}};
  const auto it = kIds.find(collective);
  HOCKNEY_USAGE_CHECK(it != kIds.end(), "Open MPI's rules file has no id for collective '{}'",
                      collective);
  return it->second;
}

// NCCL's example tuner plugin's collective names (plugins/tuner/example/README.md), by call.
std::string ncclCollective(const std::string& call) {
  static const std::map<std::string, std::string> kNames{{"ncclAllReduce", "allreduce"},
                                                         {"ncclBroadcast", "broadcast"},
                                                         {"ncclReduce", "reduce"},
                                                         {"ncclAllGather", "allgather"},
                                                         {"ncclReduceScatter", "reducescatter"}};
  const auto it = kNames.find(call);
  return it == kNames.end() ? std::string() : it->second;
}

// The library's rules file sees one size for every call of the collective (Open MPI's
// alltoallv decision asks its rules for size 0 whatever the call moves).
bool oneRuleForAllSizes(const std::string& format, const std::string& collective) {
  return format == "ompi-rules" && collective == "alltoallv";
}

// How far a row's median may be from the truth: the half-width of its 95% confidence interval,
// 1.96 × 1.2533 σ/√n (the standard error of a median), σ taken from the upper tail the row
// records, (p95 − median)/1.645.
double rowNoise(const ResultRow& r) {
  const double sigma = std::max(0.0, r.timeUs.p95 - r.timeUs.median) / 1.645;
  const double n = static_cast<double>(std::max<long>(1, r.iterations));
  return 1.96 * 1.2533 * sigma / std::sqrt(n);
}

// Median of medians, and the noise of it, over the reports that measured a point.
TunePoint combine(size_t bytes, const std::vector<const ResultRow*>& rows) {
  std::vector<double> medians;
  double noise = 0;
  for (const ResultRow* r : rows) {
    medians.push_back(r->timeUs.median);
    noise = std::max(noise, rowNoise(*r));
  }
  std::sort(medians.begin(), medians.end());
  const size_t n = medians.size();
  const double med = n % 2 ? medians[n / 2] : (medians[n / 2 - 1] + medians[n / 2]) / 2;
  noise = std::max(noise, (medians.back() - medians.front()) / 2);
  return TunePoint{bytes, med, noise, static_cast<int>(n)};
}

std::vector<ResultRow> rowsOf(const TuneInput& in) {
  return interpretJson(in.path, [&] {
    HOCKNEY_USAGE_CHECK(in.report.is_object() && in.report.value("kind", "") == "results",
                        "{} is not a results report (hockney run writes them)", in.path);
    return in.report.at("results").get<std::vector<ResultRow>>();
  });
}

int hostsOf(const TuneInput& in) {
  const json& h = in.report.value("hosts", json::array());
  return h.is_array() ? std::max<int>(1, static_cast<int>(h.size())) : 1;
}

// The rules file in force while a report was measured, or "".
std::string rulesInForce(const TuneInput& in) {
  const json tuning = in.report.value("mpi", json::object()).value("tuning", json::object());
  const json file = tuning.value("dynamic_rules_filename", json());
  return file.is_string() ? file.get<std::string>() : std::string();
}

struct SeriesKey {
  std::string backend, pattern;
  int ranks = 0, hosts = 0;
  auto tie() const { return std::tie(backend, pattern, ranks, hosts); }
  bool operator<(const SeriesKey& o) const { return tie() < o.tie(); }
};

// Every vendor row of the inputs, by series, candidate and size.
struct Gathered {
  std::map<SeriesKey, std::map<std::string, std::map<size_t, std::vector<const ResultRow*>>>> rows;
  std::map<SeriesKey, std::set<std::string>> dtypes;
  std::map<SeriesKey, std::map<std::string, json>> seriesRules;
  std::vector<std::vector<ResultRow>> storage;
  size_t ownRows = 0;
};

void gather(const std::vector<TuneInput>& inputs, Gathered& g) {
  g.storage.reserve(inputs.size());
  for (const TuneInput& in : inputs) g.storage.push_back(rowsOf(in));
  for (size_t i = 0; i < inputs.size(); ++i) {
    const int hosts = hostsOf(inputs[i]);
    for (const ResultRow& r : g.storage[i]) {
      const bool variant = r.details.contains("variant");
      if (r.algorithm != kLibraryChoice && !variant) {
        ++g.ownRows;
        continue;
      }
      if (r.check == "fail") continue;
      const SeriesKey key{r.backend, r.pattern, r.ranks, hosts};
      g.rows[key][r.algorithm][r.bytes].push_back(&r);
      g.dtypes[key].insert(r.dtype);
      if (variant) g.seriesRules[key][r.algorithm] = r.details.at("variant").value("rule", json());
    }
  }
}

std::string variantOf(const std::string& algorithm) {
  return algorithm.substr(algorithm.find(':') + 1);
}

std::string bytesText(size_t b) {
  if (b >= (size_t{1} << 30) && b % (size_t{1} << 30) == 0) return fmt::format("{}G", b >> 30);
  if (b >= (size_t{1} << 20) && b % (size_t{1} << 20) == 0) return fmt::format("{}M", b >> 20);
  if (b >= 1024 && b % 1024 == 0) return fmt::format("{}K", b >> 10);
  return fmt::format("{}", b);
}

// Ranges from the choices: each measured size rules from the geometric midpoint with the size
// before it; below the smallest and above the largest size the library keeps its own choice.
std::vector<TuneRange> rangesOf(const std::vector<TuneChoice>& choices) {
  std::vector<TuneRange> out;
  if (choices.empty()) return out;
  if (choices.front().bytes > 0)
    out.push_back({0, choices.front().bytes - 1, "", json::object(), false});
  for (size_t k = 0; k < choices.size(); ++k) {
    const size_t from =
        k == 0 ? choices[k].bytes
               : static_cast<size_t>(std::ceil(std::sqrt(static_cast<double>(choices[k - 1].bytes) *
                                                         static_cast<double>(choices[k].bytes))));
    const size_t to =
        k + 1 < choices.size()
            ? static_cast<size_t>(std::ceil(std::sqrt(static_cast<double>(choices[k].bytes) *
                                                      static_cast<double>(choices[k + 1].bytes)))) -
                  1
            : choices[k].bytes;
    out.push_back({from, to, choices[k].chosen, choices[k].rule, true});
  }
  out.push_back({choices.back().bytes + 1, 0, "", json::object(), false});
  // Merge neighbours with the same choice (the library's own, measured or not, is one thing to
  // the file).
  std::vector<TuneRange> merged;
  for (const TuneRange& r : out) {
    if (!merged.empty() && merged.back().chosen == r.chosen &&
        (r.chosen.empty() || merged.back().rule == r.rule)) {
      merged.back().toBytes = r.toBytes;
      merged.back().measured = merged.back().measured || r.measured;
      continue;
    }
    merged.push_back(r);
  }
  return merged;
}

TuneSeries tuneSeries(
    const SeriesKey& key,
    const std::map<std::string, std::map<size_t, std::vector<const ResultRow*>>>& byAlgo,
    const std::map<std::string, json>& rules, const std::string& format) {
  TuneSeries s;
  s.backend = key.backend;
  s.pattern = key.pattern;
  s.ranks = key.ranks;
  s.hosts = key.hosts;
  const VendorCall* call = findPattern(key.pattern).vendor(key.backend);
  HOCKNEY_USAGE_CHECK(call != nullptr, "{} has no {} vendor collective", key.pattern, key.backend);
  s.call = std::string(call->call);
  const auto library = byAlgo.find(std::string(kLibraryChoice));
  for (const auto& [algorithm, sizes] : byAlgo) {
    if (algorithm == kLibraryChoice) continue;
    const json& rule = rules.at(algorithm);
    if (s.collective.empty()) {
      const std::string lib = rule.value("library", "");
      HOCKNEY_USAGE_CHECK(
          (format == "ompi-rules" && lib == "ompi") || (format == "nccl-tuner" && lib == "nccl"),
          "{} at {} ranks: its variants are {}'s ({}), not what --format {} writes", s.call,
          s.ranks, lib.empty() ? "an unknown library" : lib, algorithm, format);
      s.collective = format == "ompi-rules" ? rule.value("collective", "") : ncclCollective(s.call);
      HOCKNEY_USAGE_CHECK(!s.collective.empty(),
                          "{}: the NCCL tuner plugin has no collective for it", s.call);
    }
  }
  HOCKNEY_USAGE_CHECK(!s.collective.empty(),
                      "{} at {} ranks has no vendor:NAME rows: measure with --algo vendor:all",
                      s.call, s.ranks);
  std::set<size_t> sizes;
  for (const auto& [algorithm, bySize] : byAlgo)
    for (const auto& [bytes, rows] : bySize) sizes.insert(bytes);
  for (size_t bytes : sizes) {
    TuneChoice c;
    c.bytes = bytes;
    c.rule = json::object();
    const bool haveLibrary = library != byAlgo.end() && library->second.count(bytes);
    // NCCL's plugin cannot say "keep NCCL's choice" for a size it has a line for: it writes the
    // fastest variant everywhere, and needs no library row.
    HOCKNEY_USAGE_CHECK(haveLibrary || format == "nccl-tuner",
                        "{} at {} ranks, {} bytes: no row of the library's own choice ('vendor') "
                        "to keep or beat; measure with --algo vendor:all",
                        s.call, s.ranks, bytes);
    if (haveLibrary) c.library = combine(bytes, library->second.at(bytes));
    for (const auto& [algorithm, bySize] : byAlgo) {
      if (algorithm == kLibraryChoice) continue;
      const auto it = bySize.find(bytes);
      if (it == bySize.end()) continue;
      const TunePoint p = combine(bytes, it->second);
      if (!c.fastest || p.medianUs < c.fastest->medianUs) {
        c.fastest = p;
        c.fastestName = algorithm;
      }
    }
    if (!c.fastest) {
      c.why = "no variant measured at this size";
    } else if (!haveLibrary) {
      c.chosen = variantOf(c.fastestName);
      c.rule = rules.at(c.fastestName);
      c.why = "fastest variant (the tuner plugin has no way to keep NCCL's own choice)";
    } else if (c.library.medianUs - c.fastest->medianUs > c.library.noiseUs + c.fastest->noiseUs) {
      c.chosen = variantOf(c.fastestName);
      c.rule = rules.at(c.fastestName);
      c.why = fmt::format("{:.3g}x faster than the library's choice, beyond both rows' noise",
                          c.library.medianUs / c.fastest->medianUs);
    } else {
      c.why = c.fastest->medianUs < c.library.medianUs
                  ? fmt::format("{} is faster by {:.1f}%, within the rows' noise (±{:.3g} us)",
                                c.fastestName, 100 * (1 - c.fastest->medianUs / c.library.medianUs),
                                c.library.noiseUs + c.fastest->noiseUs)
                  : "the library's own choice is the fastest";
    }
    s.choices.push_back(std::move(c));
  }
  if (oneRuleForAllSizes(format, s.collective)) {
    // One algorithm for every size: the variant faster beyond noise at some size and slower
    // beyond noise at none, with the smallest mean time ratio; else the library's choice.
    std::map<std::string, std::pair<double, int>> score;  // sum of ratios, sizes
    std::set<std::string> disqualified;
    bool anyWin = false;
    for (const TuneChoice& c : s.choices)
      for (const auto& [algorithm, bySize] : byAlgo) {
        if (algorithm == kLibraryChoice || !bySize.count(c.bytes)) continue;
        const TunePoint p = combine(c.bytes, bySize.at(c.bytes));
        score[algorithm].first += p.medianUs / c.library.medianUs;
        ++score[algorithm].second;
        if (p.medianUs - c.library.medianUs > p.noiseUs + c.library.noiseUs)
          disqualified.insert(algorithm);
        if (c.library.medianUs - p.medianUs > p.noiseUs + c.library.noiseUs) anyWin = true;
      }
    std::string best;
    double bestScore = 1;
    for (const auto& [algorithm, sc] : score)
      if (!disqualified.count(algorithm) && sc.second == static_cast<int>(s.choices.size()) &&
          sc.first / sc.second < bestScore) {
        best = algorithm;
        bestScore = sc.first / sc.second;
      }
    TuneRange r{0, 0, "", json::object(), true};
    if (anyWin && !best.empty()) {
      r.chosen = variantOf(best);
      r.rule = rules.at(best);
    }
    s.ranges = {r};
    s.notes.push_back(fmt::format(
        "Open MPI's {} decision asks its rules for one algorithm whatever the size: {}",
        s.collective,
        r.chosen.empty()
            ? std::string("no variant is faster at every size, the library keeps its "
                          "own choice")
            : fmt::format("{} (mean {:.3g}x of the library's time)", r.chosen, bestScore)));
  } else {
    s.ranges = rangesOf(s.choices);
  }
  return s;
}

// Open MPI's classic rules file: collectives; per collective its id and communicator sizes; per
// size the size and its rules; per rule "message_bytes algorithm faninout segsize", ascending
// from 0. Algorithm 0 keeps Open MPI's own (fixed) decision. Comments start with '#'.
std::string ompiRules(const std::vector<TuneSeries>& series, const std::vector<std::string>& inputs,
                      const std::string& commandLine) {
  std::map<int, std::vector<const TuneSeries*>> byId;
  for (const TuneSeries& s : series) byId[ompiCollectiveId(s.collective)].push_back(&s);
  std::string out;
  out += "# Open MPI coll/tuned dynamic rules, written by hockney tune\n";
  out += fmt::format("# from: {}\n# command: {}\n", fmt::join(inputs, " "), commandLine);
  out +=
      "# use: mpirun --mca coll_tuned_use_dynamic_rules 1 "
      "--mca coll_tuned_dynamic_rules_filename THIS_FILE ...\n";
  out +=
      "# algorithm 0 keeps Open MPI's own choice: so do sizes and communicator sizes never "
      "measured\n";
  out += fmt::format("{}  # collectives\n", byId.size());
  for (auto& [id, list] : byId) {
    std::sort(list.begin(), list.end(),
              [](const TuneSeries* a, const TuneSeries* b) { return a->ranks < b->ranks; });
    // Open MPI uses the rules of the largest communicator size not above the communicator's
    // (and the first one below it): every measured size is followed by the library's own
    // choice at the next size, and a size-1 entry comes first, so no unmeasured size inherits.
    std::vector<std::pair<int, const TuneSeries*>> sizes;
    if (list.front()->ranks > 1) sizes.emplace_back(1, nullptr);
    for (size_t i = 0; i < list.size(); ++i) {
      HOCKNEY_USAGE_CHECK(i == 0 || list[i]->ranks != list[i - 1]->ranks,
                          "{} at {} ranks was measured on {} and on {} hosts: a rules file "
                          "chooses by communicator size alone; tune one placement at a time",
                          list[i]->call, list[i]->ranks, list[i - 1]->hosts, list[i]->hosts);
      sizes.emplace_back(list[i]->ranks, list[i]);
      if (i + 1 == list.size() || list[i + 1]->ranks != list[i]->ranks + 1)
        sizes.emplace_back(list[i]->ranks + 1, nullptr);
    }
    out += fmt::format("{}  # {} ({})\n", id, list.front()->collective, list.front()->call);
    out += fmt::format("{}  # communicator sizes\n", sizes.size());
    for (const auto& [ranks, s] : sizes) {
      if (s == nullptr) {
        out += fmt::format("{} 1  # {} ranks: not measured\n0 0 0 0\n", ranks, ranks);
        continue;
      }
      out += fmt::format("{} {}  # {} ranks on {} host(s): message-size rules\n", ranks,
                         s->ranges.size(), ranks, s->hosts);
      for (const TuneRange& r : s->ranges) {
        const long alg = r.chosen.empty() ? 0 : r.rule.value("algorithm", 0L);
        const long fan = r.chosen.empty() ? 0 : r.rule.value("faninout", 0L);
        const long seg = r.chosen.empty() ? 0 : r.rule.value("segsize", 0L);
        const std::string span = r.toBytes == 0 ? fmt::format("{} B and up", r.fromBytes)
                                                : fmt::format("{}..{} B", r.fromBytes, r.toBytes);
        out += fmt::format("{} {} {} {}  # {}: {}\n", r.fromBytes, alg, fan, seg, span,
                           r.chosen.empty() ? (r.measured ? "Open MPI's own choice"
                                                          : "Open MPI's own choice (not measured)")
                                            : r.chosen);
      }
    }
  }
  return out;
}

// NCCL's example tuner plugin: collective,min_bytes,max_bytes,algorithm,protocol,channels,
// nNodes,nRanks (channels -1 keeps NCCL's).
std::string ncclTuner(const std::vector<TuneSeries>& series, const std::vector<std::string>& inputs,
                      const std::string& commandLine) {
  std::string out;
  out += "# NCCL tuner config (NVIDIA/nccl plugins/tuner/example), written by hockney tune\n";
  out += fmt::format("# from: {}\n# command: {}\n", fmt::join(inputs, " "), commandLine);
  out += "# use: NCCL_TUNER_PLUGIN=<the example plugin> NCCL_TUNER_CONFIG_FILE=THIS_FILE\n";
  out += "# collective_type,min_bytes,max_bytes,algorithm,protocol,channels,nNodes,nRanks\n";
  out += "# only measured sizes have lines: elsewhere the plugin prefers ring/simple\n";
  for (const TuneSeries& s : series)
    for (const TuneRange& r : s.ranges) {
      if (r.chosen.empty() || !r.measured) continue;
      out += fmt::format("{},{},{},{},{},-1,{},{}\n", s.collective, r.fromBytes,
                         r.toBytes == 0 ? r.fromBytes : r.toBytes, r.rule.value("algorithm", ""),
                         r.rule.value("protocol", ""), s.hosts, s.ranks);
    }
  return out;
}

json pointJson(const TunePoint& p) {
  return {{"median_us", p.medianUs}, {"noise_us", p.noiseUs}, {"reports", p.reports}};
}

// What the rules file the tuned reports name says for a point: read where it can be.
std::optional<std::string> fileSays(
    const std::vector<TuneInput>& tuned, const SeriesKey& key,
    const std::map<std::string, std::map<size_t, std::vector<const ResultRow*>>>&,
    const std::map<std::string, json>& rules, size_t bytes) {
  std::string collective;
  for (const auto& [algorithm, rule] : rules)
    if (rule.value("library", "") == "ompi") collective = rule.value("collective", "");
  if (collective.empty()) return std::nullopt;
  for (const TuneInput& in : tuned) {
    const std::string path = rulesInForce(in);
    if (path.empty()) continue;
    std::string text;
    try {
      text = readTextFile(path, "rules file");
    } catch (const UsageError&) {
      return std::nullopt;  // moved or on another machine: said as unknown
    }
    const std::optional<long> alg =
        ompiRuleFor(text, path, ompiCollectiveId(collective), key.ranks, bytes);
    if (!alg || *alg == 0) return std::string();
    for (const auto& [algorithm, rule] : rules)
      if (rule.value("algorithm", -1L) == *alg) return algorithm;
    return fmt::format("algorithm {}", *alg);
  }
  return std::nullopt;
}

}  // namespace

TuneInput readTuneInput(const std::string& path) {
  return TuneInput{path, readJsonFile(path, "results report")};
}

TuneResult tune(const std::vector<TuneInput>& inputs, const std::string& format,
                const std::string& commandLine) {
  HOCKNEY_USAGE_CHECK(format == "ompi-rules" || format == "nccl-tuner",
                      "--format must be ompi-rules or nccl-tuner, not '{}'", format);
  HOCKNEY_USAGE_CHECK(!inputs.empty(), "tune needs results reports with vendor:NAME rows");
  for (const TuneInput& in : inputs) {
    const std::string rules = rulesInForce(in);
    HOCKNEY_USAGE_CHECK(rules.empty(),
                        "{} was measured with the rules file {} in force: its 'vendor' rows are "
                        "not Open MPI's own choice (use it with --check)",
                        in.path, rules);
  }
  Gathered g;
  gather(inputs, g);
  TuneResult result;
  result.format = format;
  for (const TuneInput& in : inputs) result.inputs.push_back(in.path);
  const std::string wanted = format == "ompi-rules" ? "mpi" : "nccl";
  for (const auto& [key, byAlgo] : g.rows) {
    if (key.backend != wanted) {
      result.notes.push_back(fmt::format("{} rows of --backend {} left out: --format {} tunes {}",
                                         key.pattern, key.backend, format, wanted));
      continue;
    }
    if (!g.seriesRules.count(key)) {
      result.notes.push_back(
          fmt::format("{} at {} ranks: only the library's own rows, no variants to choose from",
                      key.pattern, key.ranks));
      continue;
    }
    HOCKNEY_USAGE_CHECK(g.dtypes[key].size() == 1,
                        "{} at {} ranks was measured in {}: the library chooses by bytes alone; "
                        "tune one dtype at a time",
                        key.pattern, key.ranks, fmt::join(g.dtypes[key], " and "));
    TuneSeries s = tuneSeries(key, byAlgo, g.seriesRules[key], format);
    s.dtype = *g.dtypes[key].begin();
    result.series.push_back(std::move(s));
  }
  HOCKNEY_USAGE_CHECK(!result.series.empty(),
                      "no {} vendor variants in {}: measure with --backend {} --algo vendor:all",
                      wanted, fmt::join(result.inputs, ", "), wanted);
  if (g.ownRows > 0)
    result.notes.push_back(fmt::format(
        "{} rows of hockney's own algorithms left out: a library's tuning file chooses among "
        "its own algorithms",
        g.ownRows));
  result.text = format == "ompi-rules" ? ompiRules(result.series, result.inputs, commandLine)
                                       : ncclTuner(result.series, result.inputs, commandLine);
  return result;
}

json TuneResult::toJson() const {
  json series_ = json::array();
  for (const TuneSeries& s : series) {
    json choices = json::array();
    for (const TuneChoice& c : s.choices) {
      json j = {{"bytes", c.bytes},
                {"chosen", c.chosen.empty() ? json(nullptr) : json(c.chosen)},
                {"why", c.why}};
      if (c.library.reports > 0) j["library"] = pointJson(c.library);
      if (c.fastest) j["fastest"] = {{"algorithm", c.fastestName}, {"time", pointJson(*c.fastest)}};
      choices.push_back(j);
    }
    json ranges = json::array();
    for (const TuneRange& r : s.ranges)
      ranges.push_back({{"from_bytes", r.fromBytes},
                        {"to_bytes", r.toBytes == 0 ? json(nullptr) : json(r.toBytes)},
                        {"chosen", r.chosen.empty() ? json(nullptr) : json(r.chosen)},
                        {"rule", r.rule},
                        {"measured", r.measured}});
    series_.push_back({{"backend", s.backend},
                       {"pattern", s.pattern},
                       {"call", s.call},
                       {"collective", s.collective},
                       {"ranks", s.ranks},
                       {"hosts", s.hosts},
                       {"dtype", s.dtype},
                       {"choices", choices},
                       {"ranges", ranges},
                       {"notes", s.notes}});
  }
  return {{"schema_version", 1}, {"kind", "tune"}, {"format", format}, {"inputs", inputs},
          {"series", series_},   {"notes", notes}, {"file", text}};
}

std::string formatTuneTable(const TuneResult& r) {
  std::string out;
  for (const TuneSeries& s : r.series) {
    out += fmt::format("# {} ({}) at {} ranks on {} host(s), {}\n", s.call, s.collective, s.ranks,
                       s.hosts, s.dtype);
    out += fmt::format("# {:>12} {:>12} {:<28} {:>12} {:<20} {}\n", "size(B)", "library(us)",
                       "fastest variant", "time(us)", "chosen", "why");
    for (const TuneChoice& c : s.choices)
      out += fmt::format(
          "  {:>12} {:>12} {:<28} {:>12} {:<20} {}\n", c.bytes,
          c.library.reports ? fmt::format("{:.2f}", c.library.medianUs) : std::string("-"),
          c.fastest ? c.fastestName : std::string("-"),
          c.fastest ? fmt::format("{:.2f}", c.fastest->medianUs) : std::string("-"),
          c.chosen.empty() ? std::string("(library)") : c.chosen, c.why);
    for (const TuneRange& range : s.ranges)
      out += fmt::format("#   {:>12} .. {:<12} {}\n", range.fromBytes,
                         range.toBytes == 0 ? std::string("up") : bytesText(range.toBytes),
                         range.chosen.empty()
                             ? std::string(range.measured ? "library's own choice"
                                                          : "library's own choice (not measured)")
                             : range.chosen);
    for (const std::string& n : s.notes) out += "# note: " + n + "\n";
  }
  for (const std::string& n : r.notes) out += "# note: " + n + "\n";
  return out;
}

bool TuneCheck::pass() const {
  return !rows.empty() &&
         std::all_of(rows.begin(), rows.end(), [](const TuneCheckRow& r) { return r.pass; });
}

std::optional<long> ompiRuleFor(const std::string& text, const std::string& where, int collective,
                                int commSize, size_t bytes) {
  // The numbers of the file, comments (from '#' to the end of the line) left out, as Open MPI's
  // reader skips them.
  std::vector<long long> n;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '-') {
      size_t used = 0;
      try {
        n.push_back(std::stoll(text.substr(i, 24), &used));
      } catch (const std::exception&) {
        throw UsageError(fmt::format("{} is not an Open MPI rules file (a number is cut)", where));
      }
      i += std::max<size_t>(used, 1);
      continue;
    }
    ++i;
  }
  size_t at = 0;
  auto next = [&]() {
    HOCKNEY_USAGE_CHECK(at < n.size(), "{} is not an Open MPI rules file (it ends early)", where);
    return n[at++];
  };
  std::optional<long> found;
  const long long collectives = next();
  for (long long c = 0; c < collectives; ++c) {
    const long long id = next();
    const long long sizes = next();
    std::optional<long> chosen;
    bool first = true;
    for (long long k = 0; k < sizes; ++k) {
      const long long size = next();
      const long long rules = next();
      std::optional<long> alg;
      for (long long r = 0; r < rules; ++r) {
        const long long from = next(), a = next();
        next();  // faninout
        next();  // segsize
        if (!alg || from <= static_cast<long long>(bytes)) alg = static_cast<long>(a);
      }
      if (first || size <= commSize) chosen = alg.value_or(0);
      first = false;
    }
    if (id == collective) found = chosen.value_or(0);
  }
  return found;
}

TuneCheck checkTuned(const std::vector<TuneInput>& reference, const std::vector<TuneInput>& tuned,
                     double tolerance) {
  HOCKNEY_USAGE_CHECK(tolerance >= 0 && tolerance < 1, "--tolerance must be in [0, 1), not {}",
                      tolerance);
  TuneCheck check;
  check.tolerance = tolerance;
  for (const TuneInput& in : reference)
    HOCKNEY_USAGE_CHECK(rulesInForce(in).empty(),
                        "{} was measured with the rules file {} in force: the reference must be "
                        "the untuned library and its variants",
                        in.path, rulesInForce(in));
  for (const TuneInput& in : tuned)
    if (rulesInForce(in).empty())
      check.notes.push_back(fmt::format(
          "{} records no rules file in force (a library that says nothing through MPI_T, or a "
          "run without the file): its rows are compared as the tuned library all the same",
          in.path));
  Gathered ref, tun;
  gather(reference, ref);
  gather(tuned, tun);
  for (const auto& [key, byAlgo] : tun.rows) {
    const auto tunedRows = byAlgo.find(std::string(kLibraryChoice));
    if (tunedRows == byAlgo.end()) continue;
    const auto refSeries = ref.rows.find(key);
    HOCKNEY_USAGE_CHECK(refSeries != ref.rows.end(),
                        "the tuned {} at {} ranks on {} host(s) has no reference rows", key.pattern,
                        key.ranks, key.hosts);
    const VendorCall* call = findPattern(key.pattern).vendor(key.backend);
    for (const auto& [bytes, rows] : tunedRows->second) {
      TuneCheckRow row;
      row.call = call ? std::string(call->call) : key.pattern;
      row.ranks = key.ranks;
      row.bytes = bytes;
      const TunePoint t = combine(bytes, rows);
      row.tunedUs = t.medianUs;
      row.tunedNoiseUs = t.noiseUs;
      std::optional<TunePoint> best;
      for (const auto& [algorithm, bySize] : refSeries->second) {
        const auto it = bySize.find(bytes);
        if (it == bySize.end()) continue;
        const TunePoint p = combine(bytes, it->second);
        if (algorithm == kLibraryChoice) row.libraryUs = p.medianUs;
        if (!best || p.medianUs < best->medianUs) {
          best = p;
          row.best = algorithm;
        }
      }
      if (!best) {
        check.notes.push_back(
            fmt::format("{} at {} ranks, {} bytes: tuned but never measured untuned; left out",
                        row.call, row.ranks, bytes));
        continue;
      }
      row.fileSays = fileSays(tuned, key, refSeries->second, ref.seriesRules[key], bytes);
      row.bestUs = best->medianUs;
      row.bestNoiseUs = best->noiseUs;
      row.pass = row.tunedUs <= row.bestUs * (1 + tolerance) ||
                 row.tunedUs - row.bestUs <= row.tunedNoiseUs + row.bestNoiseUs;
      check.rows.push_back(row);
    }
  }
  HOCKNEY_USAGE_CHECK(!check.rows.empty(),
                      "no size of the tuned reports' vendor rows was measured in the reference");
  return check;
}

json TuneCheck::toJson() const {
  json list = json::array();
  for (const TuneCheckRow& r : rows)
    list.push_back(
        {{"call", r.call},
         {"ranks", r.ranks},
         {"bytes", r.bytes},
         {"tuned_us", r.tunedUs},
         {"tuned_noise_us", r.tunedNoiseUs},
         {"library_us", r.libraryUs > 0 ? json(r.libraryUs) : json(nullptr)},
         {"tuned_over_library", r.libraryUs > 0 ? json(r.tunedUs / r.libraryUs) : json(nullptr)},
         {"best", r.best},
         {"best_us", r.bestUs},
         {"best_noise_us", r.bestNoiseUs},
         {"tuned_over_best", r.tunedUs / r.bestUs},
         {"file_says", !r.fileSays           ? json(nullptr)
                       : r.fileSays->empty() ? json("vendor")
                                             : json(*r.fileSays)},
         {"pass", r.pass}});
  return {{"schema_version", 1}, {"kind", "tune_check"}, {"tolerance", tolerance},
          {"pass", pass()},      {"rows", list},         {"notes", notes}};
}

std::string formatTuneCheck(const TuneCheck& c) {
  std::string out =
      fmt::format("# tuned library against the best variant (within {:.0f}% or both rows' noise)\n",
                  c.tolerance * 100);
  out += fmt::format("# {:<16} {:>5} {:>12} {:>12} {:>12} {:>9} {:>12} {:<26} {:>9} {:<5} {}\n",
                     "call", "ranks", "size(B)", "untuned(us)", "tuned(us)", "change", "best(us)",
                     "best", "tuned/best", "check", "the file says");
  for (const TuneCheckRow& r : c.rows)
    out += fmt::format(
        "  {:<16} {:>5} {:>12} {:>12} {:>12.2f} {:>9} {:>12.2f} {:<26} {:>9.3f} {:<5} {}\n", r.call,
        r.ranks, r.bytes, r.libraryUs > 0 ? fmt::format("{:.2f}", r.libraryUs) : std::string("-"),
        r.tunedUs,
        r.libraryUs > 0 ? fmt::format("{:+.1f}%", 100 * (r.tunedUs / r.libraryUs - 1))
                        : std::string("-"),
        r.bestUs, r.best, r.tunedUs / r.bestUs, r.pass ? "pass" : "FAIL",
        !r.fileSays           ? std::string("-")
        : r.fileSays->empty() ? std::string("library's own choice")
                              : *r.fileSays);
  for (const std::string& n : c.notes) out += "# note: " + n + "\n";
  return out;
}

}  // namespace hockney
