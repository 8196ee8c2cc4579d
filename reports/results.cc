#include "reports/results.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <tuple>

#include "collectives/core/error.h"
#include "reports/json_io.h"
#include "reports/stats.h"

namespace hockney {

using nlohmann::json;

std::string ResultRow::key() const {
  // Rows of other scopes (calibrate measures node groups, one rank per host and the world) and
  // other pairs of a point-to-point algorithm are other points.
  std::string k = fmt::format("{}|{}|{}|{}|{}|{}|{}|{}", pattern, algorithm, backend, ranks, bytes,
                              dtype, op, buffers);
  if (scope != kWorldScope) k += "|" + scope;
  if (inPlace) k += "|in-place";  // nccl-tests times both: two points, never merged
  if (details.contains("peers")) k += "|peers " + details["peers"].dump();
  return k;
}

void to_json(json& j, const ResultRow& r) {
  j = json{{"pattern", r.pattern},
           {"algorithm", r.algorithm},
           {"backend", r.backend},
           {"ranks", r.ranks},
           {"bytes", r.bytes},
           {"count", r.count},
           {"dtype", r.dtype},
           {"op", r.op},
           {"iterations", r.iterations},
           {"warmup", r.warmup},
           {"calls_per_sample", r.callsPerSample},
           {"time_us",
            {{"min", r.timeUs.min},
             {"median", r.timeUs.median},
             {"mean", r.timeUs.mean},
             {"p95", r.timeUs.p95},
             {"p99", r.timeUs.p99},
             {"max", r.timeUs.max}}},
           {"algbw_gbps", r.algbwGbps},
           {"busbw_gbps", r.busbwGbps},
           {"check", r.check},
           {"flags", r.flags},
           {"buffer_sets", r.bufferSets},
           {"buffers", r.buffers},
           {"in_place", r.inPlace},
           {"scope", r.scope}};
  if (r.level != LinkLevel::kUnrecorded) j["level"] = name(r.level);
  if (!r.checkDetail.empty()) j["check_detail"] = r.checkDetail;
  if (!r.details.empty()) j["details"] = r.details;
  if (r.minorFaultsPerCall) j["minor_faults_per_call"] = *r.minorFaultsPerCall;
  if (r.rankStat) j["rank_stat"] = *r.rankStat;
  if (r.cost)
    j["cost"] = {{"alpha_count", r.cost->alphaCount},
                 {"beta_bytes", r.cost->betaBytes},
                 {"gamma_bytes", r.cost->gammaBytes}};
  else
    j["cost"] = nullptr;
}

void from_json(const json& j, ResultRow& r) {
  j.at("pattern").get_to(r.pattern);
  j.at("algorithm").get_to(r.algorithm);
  j.at("backend").get_to(r.backend);
  r.ranks = wholeNumber<int>(j, "ranks");
  r.bytes = wholeNumber<size_t>(j, "bytes");
  r.count = wholeNumber<size_t>(j, "count");
  j.at("dtype").get_to(r.dtype);
  j.at("op").get_to(r.op);
  r.iterations = wholeNumber<long>(j, "iterations");
  r.warmup = wholeNumber<long>(j, "warmup");
  r.callsPerSample = wholeNumberOr<long>(j, "calls_per_sample", 1);
  if (j.contains("rank_stat")) r.rankStat = j.at("rank_stat").get<std::string>();
  const json& t = j.at("time_us");
  r.timeUs =
      TimeStats{t.at("min").get<double>(), t.at("median").get<double>(), t.at("mean").get<double>(),
                t.at("p95").get<double>(), t.at("p99").get<double>(),    t.at("max").get<double>()};
  j.at("algbw_gbps").get_to(r.algbwGbps);
  j.at("busbw_gbps").get_to(r.busbwGbps);
  j.at("check").get_to(r.check);
  r.checkDetail = j.value("check_detail", std::string());
  r.flags = j.value("flags", std::vector<std::string>());
  r.bufferSets = wholeNumberOr<int>(j, "buffer_sets", 1);
  // Reports from before --buffers always rotated (cold) unless they used one set.
  r.buffers = j.value("buffers", r.bufferSets > 1 ? std::string("cold") : std::string("hot"));
  HOCKNEY_USAGE_CHECK(r.buffers == "hot" || r.buffers == "cold",
                      "buffers must be \"hot\" or \"cold\", not \"{}\"", r.buffers);
  r.inPlace = j.value("in_place", false);
  r.scope = j.value("scope", std::string("world"));
  const std::string level = j.value("level", std::string());
  const std::optional<LinkLevel> known = readLinkLevel(level);
  HOCKNEY_USAGE_CHECK(known.has_value(), "level \"{}\" is not a link level ({})", level,
                      linkLevelNames());
  r.level = *known;
  r.details = j.value("details", nlohmann::json::object());
  r.minorFaultsPerCall.reset();
  if (j.contains("minor_faults_per_call"))
    r.minorFaultsPerCall = j["minor_faults_per_call"].get<double>();
  if (j.contains("cost") && !j["cost"].is_null()) {
    const json& c = j["cost"];
    r.cost = Cost{c.at("alpha_count").get<double>(), c.at("beta_bytes").get<double>(),
                  c.at("gamma_bytes").get<double>()};
  } else {
    r.cost.reset();
  }
}

namespace {

// What a count of 4 KiB page faults maps: "16 MiB".
std::string faultBytes(double faults) {
  const double kib = faults * 4;
  return kib >= 1024 ? fmt::format("{:.0f} MiB", kib / 1024) : fmt::format("{:.0f} KiB", kib);
}

}  // namespace

std::vector<std::string> notePageFaults(const std::vector<ResultRow>& rows) {
  // Per series, the smallest size that faults on every call and the largest count seen.
  std::map<std::tuple<std::string, std::string, std::string>, std::pair<const ResultRow*, double>>
      series;
  for (const ResultRow& r : rows) {
    const double f = r.minorFaultsPerCall.value_or(0);
    if (f < kPageFaultsPerCall) continue;
    auto [it, fresh] = series.try_emplace({r.pattern, r.algorithm, r.dtype}, &r, f);
    if (!fresh) {
      if (r.bytes < it->second.first->bytes) it->second.first = &r;
      it->second.second = std::max(it->second.second, f);
    }
  }
  std::vector<std::string> notes;
  for (const auto& [id, first] : series) {
    const auto& [row, most] = first;
    notes.push_back(fmt::format(
        "{}/{} {}: page faults on every call from {} B ({:.0f} per call there, up to {:.0f}: "
        "about {} mapped afresh per call); the times include them, as any process's would",
        row->pattern, row->algorithm, row->dtype, row->bytes, *row->minorFaultsPerCall, most,
        faultBytes(most)));
  }
  return notes;
}

std::vector<std::string> flagCliffs(std::vector<ResultRow>& rows) {
  std::map<std::tuple<std::string, std::string, std::string, std::string, int>, std::vector<size_t>>
      series;
  for (size_t i = 0; i < rows.size(); ++i)
    series[{rows[i].pattern, rows[i].algorithm, rows[i].dtype, rows[i].op, rows[i].ranks}]
        .push_back(i);
  std::vector<std::string> notes;
  for (auto& [id, idx] : series) {
    std::sort(idx.begin(), idx.end(),
              [&](size_t a, size_t b) { return rows[a].bytes < rows[b].bytes; });
    std::vector<double> bytes, times;
    for (size_t i : idx) {
      bytes.push_back(static_cast<double>(rows[i].bytes));
      times.push_back(rows[i].timeUs.median);
    }
    for (size_t k : cliffs(bytes, times)) {
      ResultRow& row = rows[idx[k]];
      if (std::find(row.flags.begin(), row.flags.end(), "cliff") == row.flags.end())
        row.flags.push_back("cliff");
      const ResultRow& before = rows[idx[k - 1]];
      const double faultsBefore = before.minorFaultsPerCall.value_or(0);
      const double faultsAt = row.minorFaultsPerCall.value_or(0);
      // The page faults say which of the two it is, where they were counted.
      const std::string why =
          faultsAt >= kPageFaultsPerCall && faultsAt > 2 * faultsBefore
              ? fmt::format(
                    "memory mapped afresh on every call: {:.0f} -> {:.0f} minor page "
                    "faults per call, about {} per call",
                    faultsBefore, faultsAt, faultBytes(faultsAt))
              : "a protocol switch or per-call allocation cliff";
      notes.push_back(
          fmt::format("{}/{}: time per byte jumps {:.1f}x from {} B to {} B ({:.1f} "
                      "-> {:.1f} us): {}",
                      row.pattern, row.algorithm,
                      (row.timeUs.median / static_cast<double>(row.bytes)) /
                          (before.timeUs.median / static_cast<double>(before.bytes)),
                      before.bytes, row.bytes, before.timeUs.median, row.timeUs.median, why));
    }
  }
  return notes;
}

namespace {

// Hosts in order of their first rank.
std::vector<std::string> hostsOf(const Provenance& prov) {
  std::vector<std::string> hosts;
  std::set<std::string> seen;
  for (const std::string& h : prov.hostOfRank)
    if (seen.insert(h).second) hosts.push_back(h);
  return hosts;
}

json toolJson(const Provenance& prov) {
  return {{"name", "hockney"}, {"version", prov.toolVersion}, {"git_commit", prov.gitCommit}};
}

}  // namespace

json sourceRecord(const std::string& path, const Provenance& prov, size_t rows) {
  return {{"path", path},
          {"tool", toolJson(prov)},
          {"started_at", prov.startedAt},
          {"hosts", hostsOf(prov)},
          {"mpi", {{"library_version", prov.mpiLibrary}}},
          {"ranks", prov.ranks},
          {"rows", rows}};
}

json makeResultsReport(const Provenance& prov, const json& config,
                       const std::vector<ResultRow>& rows, const std::vector<std::string>& notes) {
  json placement = json::array();
  for (size_t r = 0; r < prov.hostOfRank.size(); ++r)
    placement.push_back({{"rank", r}, {"host", prov.hostOfRank[r]}});
  const std::vector<std::string> hosts = hostsOf(prov);
  json mpi = {{"library_version", prov.mpiLibrary}};
  if (prov.tuning.is_object()) mpi["tuning"] = prov.tuning;
  return json{{"schema_version", kResultsSchemaVersion},
              {"kind", "results"},
              {"tool", toolJson(prov)},
              {"command_line", prov.commandLine},
              {"started_at", prov.startedAt},
              {"finished_at", prov.finishedAt},
              {"mpi", mpi},
              {"ranks", prov.ranks},
              {"hosts", hosts},
              {"placement", placement},
              {"slurm", prov.slurm},
              {"topology", prov.topology},
              {"devices", prov.devices},
              {"allocator", prov.allocator},
              {"config", config},
              {"notes", notes},
              {"results", rows}};
}

std::string reportText(const nlohmann::json& report) {
  return report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

void writeFileAtomically(const std::string& path, const std::string& contents) {
  namespace fs = std::filesystem;
  fs::path target(path);
  if (target.has_parent_path()) fs::create_directories(target.parent_path());
  fs::path temp = target;
  temp += fmt::format(".tmp.{}", ::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    HOCKNEY_CHECK(out.good(), "cannot write {}", temp.string());
    out << contents;
    out.flush();
    HOCKNEY_CHECK(out.good(), "writing {} failed", temp.string());
  }
  std::error_code ec;
  fs::rename(temp, target, ec);
  if (ec) {
    fs::remove(temp);
    HOCKNEY_THROW("cannot rename {} to {}: {}", temp.string(), path, ec.message());
  }
}

bool Checkpoint::exists() const {
  return std::filesystem::exists(path_);
}

namespace {

std::vector<std::string> checkpointLines(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UsageError(fmt::format("cannot read checkpoint {}", path));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

bool isHeader(const std::string& line) {
  return line.rfind("{\"checkpoint_of\"", 0) == 0;
}

}  // namespace

bool Checkpoint::hasRows() const {
  for (const std::string& line : checkpointLines(path_))
    if (!isHeader(line)) return true;
  return false;
}

std::vector<ResultRow> Checkpoint::load(const json& identity,
                                        std::vector<std::string>& notes) const {
  const std::vector<std::string> lines = checkpointLines(path_);
  std::vector<ResultRow> rows;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (isHeader(lines[i])) {
      json theirs;
      try {
        theirs = json::parse(lines[i]).at("checkpoint_of");
      } catch (const json::exception& e) {
        throw UsageError(
            fmt::format("checkpoint {} line {} is not a header: {}", path_, i + 1, e.what()));
      }
      HOCKNEY_USAGE_CHECK(theirs.is_object(),
                          "checkpoint {} line {} is not a header: checkpoint_of is not an object",
                          path_, i + 1);
      std::vector<std::string> differences;
      for (const auto& [field, value] : identity.items())
        if (theirs.value(field, json()) != value)
          differences.push_back(fmt::format("its {} is {}, this run's is {}", field,
                                            theirs.value(field, json()).dump(), value.dump()));
      if (!differences.empty())
        throw UsageError(fmt::format(
            "checkpoint {} belongs to another run: {}; remove it or choose another --out", path_,
            fmt::join(differences, "; ")));
      continue;
    }
    try {
      ResultRow row;
      try {
        row = json::parse(lines[i]).get<ResultRow>();
      } catch (const UsageError& e) {
        throw UsageError(
            fmt::format("checkpoint {} line {} is not a result row: {}", path_, i + 1, e.what()));
      }
      // Rows name their own pattern, ranks, dtype and op: a foreign row is never merged.
      for (const auto& [field, value] : {std::pair<const char*, json>{"pattern", row.pattern},
                                         {"ranks", row.ranks},
                                         {"dtype", row.dtype},
                                         {"op", row.op}})
        if (identity.contains(field) && identity[field] != value)
          throw UsageError(fmt::format(
              "checkpoint {} line {} is a row of another run: its {} is {}, this run's is {}",
              path_, i + 1, field, value.dump(), identity[field].dump()));
      rows.push_back(std::move(row));
    } catch (const json::exception& e) {
      if (i + 1 == lines.size()) {  // the job died while writing its last line
        notes.push_back(fmt::format("ignored a truncated last line in {}", path_));
        break;
      }
      throw UsageError(
          fmt::format("checkpoint {} line {} is not a result row: {}", path_, i + 1, e.what()));
    }
  }
  return rows;
}

void Checkpoint::append(const ResultRow& row) const {
  std::FILE* f = std::fopen(path_.c_str(), "a");
  HOCKNEY_CHECK(f != nullptr, "cannot append to checkpoint {}", path_);
  std::string line = json(row).dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  bool ok = std::fwrite(line.data(), 1, line.size(), f) == line.size();
  ok = std::fflush(f) == 0 && ok;
  ok = ::fsync(::fileno(f)) == 0 && ok;
  ok = std::fclose(f) == 0 && ok;
  HOCKNEY_CHECK(ok, "writing checkpoint {} failed", path_);
}

void Checkpoint::create(const json& identity) const {
  std::filesystem::path p(path_);
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
  std::ofstream out(path_, std::ios::trunc);
  out << json{{"checkpoint_of", identity}}.dump(-1, ' ', false, json::error_handler_t::replace)
      << "\n";
  out.flush();
  HOCKNEY_CHECK(out.good(), "cannot create checkpoint {}", path_);
}

void Checkpoint::remove() const {
  std::filesystem::remove(path_);
}

std::string utcNow() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// --resume with no checkpoint but a report at --out: a finished run. Of this run (the fields a
// checkpoint's identity holds are the same in its config) its rows are kept and only what is
// missing is measured; of another run, or not a results report at all, it is refused rather
// than overwritten.
std::vector<ResultRow> finishedReportRows(const std::string& out, const std::string& checkpointPath,
                                          const json& config, const json& identity,
                                          std::vector<std::string>& notes) {
  const std::string lead =
      fmt::format("--resume: there is no checkpoint ({}), and --out {} is ", checkpointPath, out);
  const std::string keep = "; resuming would overwrite it: choose another --out or remove it";
  HOCKNEY_USAGE_CHECK(std::filesystem::is_regular_file(out), "{}not a file{}", lead, keep);
  const json report = readJsonFile(out, "results report");
  HOCKNEY_USAGE_CHECK(report.is_object() && report.value("kind", json()) == "results" &&
                          report.contains("config") && report["config"].is_object(),
                      "{}not a hockney results report{}", lead, keep);
  const json& theirs = report["config"];
  std::vector<std::string> differences;
  for (const auto& [field, value] : identity.items()) {
    const json mine = field == "ranks" ? value : config.value(field, json());
    const json found =
        field == "ranks" ? report.value("ranks", json()) : theirs.value(field, json());
    if (found != mine)
      differences.push_back(
          fmt::format("its {} is {}, this run's is {}", field, found.dump(), mine.dump()));
  }
  HOCKNEY_USAGE_CHECK(differences.empty(), "{}a finished report of another run: {}{}", lead,
                      fmt::join(differences, "; "), keep);
  std::vector<ResultRow> rows =
      interpretJson(out, [&] { return report.at("results").get<std::vector<ResultRow>>(); });
  notes.push_back(fmt::format(
      "--resume: {} is a finished report of this run; its {} points are kept, only points it "
      "lacks are measured",
      out, rows.size()));
  return rows;
}

}  // namespace hockney
