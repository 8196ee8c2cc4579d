#include "reports/import.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <string_view>

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

// A cursor over the start of a line: each prefix reader takes its prefix and returns true, or
// leaves the cursor where it was. By hand, not std::regex: libstdc++'s matcher recurses per
// character and overflows the stack on a long line.
struct Cursor {
  const std::string& s;
  size_t at = 0;
  bool eat(char c) {
    if (at < s.size() && s[at] == c) return ++at, true;
    return false;
  }
  bool eat(std::string_view word) {
    if (s.compare(at, word.size(), word) != 0) return false;
    at += word.size();
    return true;
  }
  // 1..max digits; their value in `v`.
  bool digits(size_t min, size_t max, long* v = nullptr) {
    size_t n = 0;
    long value = 0;
    while (at + n < s.size() && n < max && std::isdigit(static_cast<unsigned char>(s[at + n])))
      value = value * 10 + (s[at + n++] - '0');
    if (n < min ||
        (at + n < s.size() && n == max && std::isdigit(static_cast<unsigned char>(s[at + n]))))
      return false;
    at += n;
    if (v) *v = value;
    return true;
  }
  void spaces() {
    while (at < s.size() && (s[at] == ' ' || s[at] == '\t')) ++at;
  }
};

// "[2024-05-01T12:00:00.123Z] ", "2024-05-01 12:00:00,5 ", "12:00:00 ": a time, with or without
// a date, zone and brackets, then a blank.
bool timestamp(Cursor& c) {
  const size_t start = c.at;
  c.spaces();
  const bool bracket = c.eat('[');
  const size_t date = c.at;
  if (!(c.digits(4, 4) && c.eat('-') && c.digits(2, 2) && c.eat('-') && c.digits(2, 2) &&
        (c.eat('T') || c.eat(' '))))
    c.at = date;
  if (!(c.digits(2, 2) && c.eat(':') && c.digits(2, 2) && c.eat(':') && c.digits(2, 2)))
    return c.at = start, false;
  if (c.eat('.') || c.eat(',')) c.digits(1, 9);
  if (!c.eat('Z') && (c.eat('+') || c.eat('-'))) {
    c.digits(2, 2);
    c.eat(':');
    c.digits(2, 2);
  }
  if (bracket && !c.eat(']')) return c.at = start, false;
  if (!(c.eat(' ') || c.eat('\t')) || c.at >= c.s.size()) return c.at = start, false;
  return true;
}

// A launcher's rank prefix: its name and the rank, or false with the cursor unmoved.
bool rankPrefix(Cursor& c, long& rank, const char*& launcher) {
  const size_t start = c.at;
  long job = 0;
  if (c.eat('[') && c.digits(1, 7, &job) && c.eat(',') && c.digits(1, 7, &rank) && c.eat(']') &&
      (c.eat("<stdout>:") || c.eat("<stderr>:")))
    return launcher = "mpirun --tag-output", true;
  c.at = start;
  if (c.eat('[') && c.digits(1, 7, &rank) && c.eat(']')) {
    c.eat(' ');
    return launcher = "[rank]", true;  // mpiexec -l, -prepend-rank
  }
  c.at = start;
  c.spaces();
  if (c.digits(1, 7, &rank) && c.eat(':') && (c.at == c.s.size() || c.s[c.at] == ' ')) {
    c.eat(' ');
    return launcher = "srun -l", true;
  }
  c.at = start;
  // SkyPilot: "(head, rank=0, pid=3808) "
  if (c.eat('(')) {
    const size_t close = c.s.find(')', c.at);
    const size_t key = c.s.find("rank=", c.at);
    if (close != std::string::npos && close < 256 && key < close) {
      c.at = key + 5;
      if (c.digits(1, 7, &rank) && c.s.find(')', c.at) == close) {
        c.at = close + 1;
        c.eat(' ');
        return launcher = "SkyPilot", true;
      }
    }
  }
  c.at = start;
  return false;
}

Unprefixed unprefixed(const std::string& line, std::set<std::string>& launchers) {
  Unprefixed out;
  Cursor c{line};
  std::string bracketTag;
  for (bool found = true; found;) {
    found = false;
    if (timestamp(c)) {
      launchers.insert("timestamps");
      found = true;
    }
    long rank = 0;
    const char* launcher = nullptr;
    if (rankPrefix(c, rank, launcher)) {
      out.rank = static_cast<int>(rank);
      launchers.insert(launcher);
      if (std::string_view(launcher) == "[rank]") bracketTag = fmt::format("[{}]", rank);
      found = true;
    }
  }
  out.text = line.substr(c.at);
  // "[N]" is also written inside lines when ranks flush half lines: take those off too.
  if (!bracketTag.empty())
    for (size_t at; (at = out.text.find(bracketTag)) != std::string::npos;)
      out.text.erase(at, bracketTag.size());
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
  // Both tools average over ranks by default (OSU always; nccl-tests unless run with -a 0/2/3).
  r.rankStat = "avg";
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
