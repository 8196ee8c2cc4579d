#include "reports/import.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "collectives/core/error.h"
#include "collectives/registry.h"
#include "reports/import_text.h"
#include "reports/json_io.h"

namespace hockney {
namespace importing {

std::vector<Line> linesOf(const std::string& text) {
  std::vector<Line> out;
  std::istringstream in(text);
  std::string s;
  for (size_t n = 1; std::getline(in, s); ++n) {
    if (!s.empty() && s.back() == '\r') s.pop_back();
    out.push_back({n, s});
  }
  return out;
}

namespace {

// One line without its launcher prefixes and timestamps, and the rank a prefix named.
struct Unprefixed {
  std::string text;
  std::optional<int> rank;
};

Unprefixed unprefixed(std::string line, std::set<std::string>& launchers) {
  // ISO dates with a time ("2024-05-01T12:00:00.123Z", "[2024-05-01 12:00:00]") or a bare
  // "12:00:00.123" before the text.
  static const std::regex kTimestamp(
      R"(^\s*\[?(\d{4}-\d{2}-\d{2}[T ])?\d{2}:\d{2}:\d{2}([.,]\d+)?(Z|[+-]\d{2}:?\d{2})?\]?\s)");
  static const std::regex kTagOutput(R"(^\[\d+,(\d+)\]<std(out|err)>:)");  // mpirun --tag-output
  static const std::regex kSrunLabel(R"(^\s*(\d+): ?)");                   // srun -l
  static const std::regex kBracket(R"(^\[(\d+)\] ?)");  // mpiexec -l, -prepend-rank
  static const std::regex kSkyPilot(R"(^\([^)]*\brank=(\d+)[^)]*\) ?)");  // SkyPilot's job logs
  static const std::vector<std::pair<const std::regex*, const char*>> kPrefixes{
      {&kTagOutput, "mpirun --tag-output"},
      {&kSrunLabel, "srun -l"},
      {&kBracket, "[rank]"},
      {&kSkyPilot, "SkyPilot"}};
  Unprefixed out;
  for (bool found = true; found;) {
    found = false;
    std::smatch m;
    if (std::regex_search(line, m, kTimestamp) && m.length(0) < static_cast<long>(line.size())) {
      launchers.insert("timestamps");
      line = m.suffix();
      found = true;
    }
    for (const auto& [re, name] : kPrefixes)
      if (std::regex_search(line, m, *re)) {
        out.rank = std::stoi(m[1].str());
        launchers.insert(name);
        const std::string tag = fmt::format("[{}]", *out.rank);
        line = m.suffix();
        // "[N]" is also written inside lines when ranks flush half lines: take those off too.
        if (re == &kBracket)
          for (size_t at; (at = line.find(tag)) != std::string::npos;) line.erase(at, tag.size());
        found = true;
        break;
      }
  }
  out.text = std::move(line);
  return out;
}

}  // namespace

std::string ScannedLog::note(const std::string& path) const {
  if (launchers.empty()) return "";
  std::string n = fmt::format("{}: {} prefixes taken off", path, fmt::join(launchers, ", "));
  if (tableRank >= 0) n += fmt::format("; read rank {}'s lines", tableRank);
  if (otherRankLines > 0) n += fmt::format(", skipped {} lines of other ranks", otherRankLines);
  return n;
}

ScannedLog scanLog(const std::string& text,
                   const std::function<void(const std::string& comment, size_t line)>& onComment,
                   const std::function<bool()>& inTable) {
  ScannedLog log;
  std::set<std::string> launchers;
  std::vector<std::pair<size_t, Unprefixed>> lines;
  for (const Line& l : linesOf(text)) {
    Unprefixed u = unprefixed(l.text, launchers);
    // The rank that prints the table is the one whose '#' lines come first.
    if (log.tableRank < 0 && u.rank && startsWith(u.text, "#")) log.tableRank = *u.rank;
    lines.emplace_back(l.number, std::move(u));
  }
  log.launchers.assign(launchers.begin(), launchers.end());
  for (const auto& [number, u] : lines) {
    if (u.rank && log.tableRank >= 0 && *u.rank != log.tableRank) {
      ++log.otherRankLines;
      continue;
    }
    const std::string t = trimmed(u.text);
    if (startsWith(u.text, "#")) {
      if (!t.empty()) log.header.push_back(t);
      onComment(t, number);
      continue;
    }
    if (t.empty() || !std::isdigit(static_cast<unsigned char>(t[0])) || !inTable()) continue;
    log.data.push_back({number, tokensOf(t)});
  }
  return log;
}

std::vector<std::string> tokensOf(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string t; in >> t;) out.push_back(t);
  return out;
}

bool startsWith(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

std::string trimmed(std::string s) {
  const auto b = s.find_first_not_of(" \t#");
  if (b == std::string::npos) return "";
  s = s.substr(b);
  s.erase(s.find_last_not_of(" \t") + 1);
  return s;
}

double number(const std::string& token, const std::string& path, size_t line, const char* what) {
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(token, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  HOCKNEY_USAGE_CHECK(used == token.size() && std::isfinite(v) && v >= 0,
                      "{}:{}: {} '{}' is not a number", path, line, what, token);
  return v;
}

size_t whole(const std::string& token, const std::string& path, size_t line, const char* what) {
  const double v = number(token, path, line, what);
  HOCKNEY_USAGE_CHECK(v == std::floor(v) && v < 1e18, "{}:{}: {} '{}' is not a whole number", path,
                      line, what, token);
  return static_cast<size_t>(v);
}

std::optional<std::string> dtypeOf(const std::string& t) {
  static const std::map<std::string, std::string> kTypes{
      {"float", "float32"},     {"float32", "float32"},   {"double", "float64"},
      {"float64", "float64"},   {"half", "float16"},      {"float16", "float16"},
      {"bfloat16", "bfloat16"}, {"int32", "int32"},       {"int", "int32"},
      {"int64", "int64"},       {"int8", "int8"},         {"uint8", "uint8"},
      {"char", "int8"},         {"MPI_FLOAT", "float32"}, {"MPI_DOUBLE", "float64"},
      {"MPI_INT", "int32"},     {"MPI_CHAR", "int8"},     {"MPI_LONG", "int64"}};
  auto it = kTypes.find(t);
  if (it == kTypes.end()) return std::nullopt;
  return it->second;
}

namespace {

// What the logs people have measure: a library's collectives, and point-to-point (OSU).
bool importable(const Pattern& p) {
  return !p.facts.vendors.empty() || p.facts.pointToPoint;
}

}  // namespace

std::string decidePattern(const std::string& fromLog, const ImportOptions& o,
                          const std::string& path, const std::string& what) {
  if (!o.pattern.empty()) {
    std::vector<std::string> names;
    for (const Pattern& p : patterns())
      if (importable(p)) names.emplace_back(p.name);
    const bool known = std::find(names.begin(), names.end(), o.pattern) != names.end();
    HOCKNEY_USAGE_CHECK(known, "--pattern {} cannot be imported ({})", o.pattern,
                        fmt::join(names, ", "));
  }
  if (!fromLog.empty() && !o.pattern.empty())
    HOCKNEY_USAGE_CHECK(fromLog == o.pattern, "{}: the log is {} ({}), not --pattern {}", path,
                        fromLog, what, o.pattern);
  const std::string p = fromLog.empty() ? o.pattern : fromLog;
  HOCKNEY_USAGE_CHECK(!p.empty(),
                      "{}: the log does not say which collective it measured; pass "
                      "--pattern",
                      path);
  return p;
}

int decideRanks(int fromLog, const ImportOptions& o, const std::string& path, size_t line) {
  if (fromLog > 0 && o.ranks > 0)
    HOCKNEY_USAGE_CHECK(
        fromLog == o.ranks, "{}: the log names {} ranks{}, not --ranks {}", path, fromLog,
        line > 0 ? fmt::format(" (its device lines, from line {})", line) : "", o.ranks);
  const int r = fromLog > 0 ? fromLog : o.ranks;
  HOCKNEY_USAGE_CHECK(r > 0, "{}: the log does not say how many ranks ran; pass --ranks", path);
  return r;
}

void placeRows(ImportedLog& log, const std::vector<std::string>& devices, const ImportOptions& o,
               const std::string& path) {
  const bool named = !log.hosts.empty() && static_cast<int>(log.hosts.size()) == log.ranks;
  std::map<std::string, int> perHost;
  if (named)
    for (const std::string& h : log.hosts) ++perHost[h];
  for (const auto& [host, n] : perHost) log.ranksPerHost = std::max(log.ranksPerHost, n);
  std::set<std::string> models(devices.begin(), devices.end());
  log.device = fmt::format("{}", fmt::join(models, ", "));
  if (o.level) {
    log.level = *o.level;
  } else if (named) {
    log.level = perHost.size() == 1 ? LinkLevel::kNode : LinkLevel::kNetwork;
  } else {
    log.notes.push_back(fmt::format(
        "{}: no device lines name the ranks' hosts: the rows' level is not recorded (pass "
        "--level node or --level network)",
        path));
  }
  if (named && perHost.size() > 1) {
    bool even = true;
    for (const auto& [host, n] : perHost) even = even && n == log.ranksPerHost;
    if (!even)
      log.notes.push_back(fmt::format("{}: hosts run different numbers of ranks (at most {})", path,
                                      log.ranksPerHost));
  }
  for (ResultRow& r : log.rows) {
    r.level = log.level;
    if (named) {
      r.details["hosts"] = perHost.size();
      r.details["ranks_per_host"] = log.ranksPerHost;
    }
    if (!log.device.empty()) r.details["device"] = log.device;
  }
}

ResultRow importedRow(const std::string& backend, const std::string& pattern, int ranks,
                      size_t bytes, size_t count, const std::string& dtype, const std::string& op,
                      double timeUs) {
  ResultRow r;
  r.pattern = pattern;
  r.algorithm = "vendor";
  r.backend = backend;
  r.ranks = ranks;
  r.bytes = bytes;
  r.count = count;
  r.dtype = dtype;
  r.op = op;
  r.timeUs = TimeStats{timeUs, timeUs, timeUs, timeUs, timeUs, timeUs};
  r.bufferSets = 1;
  r.buffers = "hot";  // both tools reuse one buffer pair
  r.check = "off";
  return r;
}

}  // namespace importing

using nlohmann::json;

json importedReport(const std::vector<ImportedLog>& logs, const std::string& commandLine,
                    const std::string& toolVersion, const std::string& gitCommit) {
  HOCKNEY_USAGE_CHECK(!logs.empty(), "no logs to import");
  std::vector<ResultRow> rows;
  std::vector<std::string> notes;
  json sources = json::array();
  std::set<std::string> seen;
  for (const ImportedLog& l : logs) {
    HOCKNEY_USAGE_CHECK(l.ranks == logs[0].ranks,
                        "{} ran on {} ranks, {} on {}: import them into separate reports",
                        l.provenance.value("path", ""), l.ranks,
                        logs[0].provenance.value("path", ""), logs[0].ranks);
    for (const ResultRow& r : l.rows) {
      HOCKNEY_USAGE_CHECK(seen.insert(r.key()).second,
                          "{} measures {} {} at {} B again (already in an earlier log): import "
                          "them into separate reports",
                          l.provenance.value("path", ""), r.pattern, r.dtype, r.bytes);
      rows.push_back(r);
    }
    notes.insert(notes.end(), l.notes.begin(), l.notes.end());
    sources.push_back(l.provenance);
  }
  Provenance prov;
  prov.toolVersion = toolVersion;
  prov.gitCommit = gitCommit;
  prov.commandLine = commandLine;
  prov.startedAt = prov.finishedAt = utcNow();
  prov.mpiLibrary = fmt::format("unknown (imported from {} logs)", logs[0].tool);
  prov.ranks = logs[0].ranks;
  std::vector<std::string> hosts = logs[0].hosts;
  if (static_cast<int>(hosts.size()) != prov.ranks)
    hosts.assign(static_cast<size_t>(prov.ranks), "unknown");
  prov.hostOfRank = hosts;
  prov.slurm = nullptr;
  prov.topology = nullptr;
  std::set<std::string> patterns;
  std::set<size_t> sizes;
  for (const auto& r : rows) {
    patterns.insert(r.pattern);
    sizes.insert(r.bytes);
  }
  const json config{{"command", "import"},
                    {"imported_from", logs[0].tool},
                    {"patterns", patterns},
                    {"algorithms", {"vendor"}},
                    {"sizes", sizes},
                    {"dtype", rows.empty() ? "float32" : rows[0].dtype},
                    {"op", rows.empty() ? "sum" : rows[0].op},
                    {"iterations", "auto"},
                    {"warmup", 0},
                    {"check", false},
                    {"buffers", "hot"},
                    {"sources", sources}};
  return makeResultsReport(prov, config, rows, notes);
}

}  // namespace hockney
