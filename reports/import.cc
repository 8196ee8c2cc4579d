#include "reports/import.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "collectives/core/error.h"
#include "reports/json_io.h"

namespace hockney {

using nlohmann::json;

namespace {

struct Line {
  size_t number;  // 1-based
  std::string text;
};

struct DataLine {  // a result row of a log's table, split into fields
  size_t line;
  std::vector<std::string> tokens;
};

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

// A finite, non-negative number, or a UsageError naming the file, line and column.
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

// nccl-tests' and OSU's element types, as reports name them.
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

bool reduces(const std::string& pattern) {
  return pattern == "allreduce" || pattern == "reduce_scatter" || pattern == "reduce";
}

// nccl-tests' bus-bandwidth factors (doc/PERFORMANCE.md), for logs that give time only.
double busFactorOf(const std::string& pattern, int p) {
  const double n = p;
  if (pattern == "allreduce") return 2 * (n - 1) / n;
  if (pattern == "reduce_scatter" || pattern == "allgather" || pattern == "alltoall")
    return (n - 1) / n;
  return 1;
}

const std::set<std::string> kPatterns{"allreduce", "reduce_scatter", "allgather", "alltoall",
                                      "bcast",     "reduce",         "sendrecv"};

std::string ncclTestsPattern(std::string program) {
  const auto slash = program.find_last_of('/');
  if (slash != std::string::npos) program = program.substr(slash + 1);
  static const std::map<std::string, std::string> kPrograms{
      {"all_reduce_perf", "allreduce"},
      {"all_gather_perf", "allgather"},
      {"reduce_scatter_perf", "reduce_scatter"},
      {"alltoall_perf", "alltoall"},
      {"broadcast_perf", "bcast"},
      {"reduce_perf", "reduce"},
      {"sendrecv_perf", "sendrecv"}};
  auto it = kPrograms.find(program);
  return it == kPrograms.end() ? "" : it->second;
}

// The pattern: the log's, the option's, and they must agree.
std::string decidePattern(const std::string& fromLog, const ImportOptions& o,
                          const std::string& path, const std::string& what) {
  if (!o.pattern.empty())
    HOCKNEY_USAGE_CHECK(kPatterns.count(o.pattern),
                        "--pattern {} cannot be imported (allreduce, reduce_scatter, allgather, "
                        "alltoall, bcast, reduce, sendrecv)",
                        o.pattern);
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

int decideRanks(int fromLog, const ImportOptions& o, const std::string& path) {
  if (fromLog > 0 && o.ranks > 0)
    HOCKNEY_USAGE_CHECK(fromLog == o.ranks, "{}: the log names {} ranks, not --ranks {}", path,
                        fromLog, o.ranks);
  const int r = fromLog > 0 ? fromLog : o.ranks;
  HOCKNEY_USAGE_CHECK(r > 0, "{}: the log does not say how many ranks ran; pass --ranks", path);
  return r;
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

}  // namespace

ImportedLog importNcclTests(const std::string& path, const std::string& text,
                            const ImportOptions& o) {
  ImportedLog log;
  log.tool = "nccl-tests";
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '{') {
    // -J JSON: {"version", "args", "config": {..., "devices": [...]}, "results": [...]}
    const json j = [&] {
      try {
        return json::parse(text);
      } catch (const json::parse_error& e) {
        throw UsageError(fmt::format("{}: nccl-tests JSON is not valid JSON: {}", path, e.what()));
      }
    }();
    return interpretJson(path, [&] {
      HOCKNEY_USAGE_CHECK(j.is_object() && j.contains("results") && j.contains("config"),
                          "{}: not nccl-tests -J output (no \"config\" and \"results\")", path);
      const json& args = j.value("args", json::array());
      const std::string program = args.empty() ? "" : args[0].get<std::string>();
      log.pattern = decidePattern(ncclTestsPattern(program), o, path, program);
      const json& devices = j["config"].value("devices", json::array());
      for (const json& d : devices) log.hosts.push_back(d.value("hostname", "unknown"));
      log.ranks = decideRanks(static_cast<int>(devices.size()), o, path);
      const long iters = j["config"].value("iterations", 1L);
      for (size_t i = 0; i < j.at("results").size(); ++i) {
        const json& r = j["results"][i];
        const std::string where = fmt::format("{}: results[{}]", path, i);
        const std::string type = r.at("type").get<std::string>();
        const auto dtype = o.dtype.empty() ? dtypeOf(type) : std::optional(o.dtype);
        HOCKNEY_USAGE_CHECK(dtype.has_value(), "{}: type '{}' has no hockney name", where, type);
        std::string op = r.at("redop").get<std::string>();
        if (op == "none") op = "sum";
        HOCKNEY_USAGE_CHECK(op == "sum" || op == "prod" || op == "min" || op == "max",
                            "{}: redop '{}' is not one hockney models (sum, prod, min, max)", where,
                            op);
        const bool outOfPlace = r.contains("out_of_place") && r["out_of_place"].is_object();
        const json& m = outOfPlace ? r["out_of_place"] : r.at("in_place");
        const double t =
            m.contains("time") ? m["time"].get<double>() : m.at("cpu_time").get<double>();
        HOCKNEY_USAGE_CHECK(std::isfinite(t) && t > 0, "{}: time {} is not a time", where, t);
        ResultRow row = importedRow("nccl", log.pattern, log.ranks, wholeNumber<size_t>(r, "size"),
                                    wholeNumber<size_t>(r, "count"), *dtype, op, t);
        row.algbwGbps = m.value("alg_bw", 0.0);
        row.busbwGbps = m.value("bus_bw", 0.0);
        row.inPlace = !outOfPlace;
        row.iterations = 1;
        row.callsPerSample = std::max(1L, r.value("actual_iterations", iters));
        if (m.contains("nwrong") && m["nwrong"].is_number())
          row.check = m["nwrong"].get<double>() == 0 ? "pass" : "fail";
        row.details = {{"imported_from", path},
                       {"result", i},
                       {"time_is", "the mean over the timed calls (nccl-tests)"}};
        log.rows.push_back(std::move(row));
      }
      HOCKNEY_USAGE_CHECK(!log.rows.empty(), "{}: no results", path);
      log.provenance = {{"path", path},
                        {"tool", "nccl-tests"},
                        {"format", "json"},
                        {"nccl_version", j.value("nccl_version", json(nullptr))},
                        {"args", args},
                        {"config", j["config"]},
                        {"start_time", j.value("start_time", json(nullptr))}};
      return log;
    });
  }

  // The text table.
  std::vector<std::string> header;
  std::string program;
  std::map<int, std::string> rankHosts;
  long iters = 0;
  std::vector<std::string> columns;  // the column-name line's tokens
  std::string timeUnit;              // "us", "ms", or "" (not stated)
  size_t columnsLine = 0;
  std::vector<DataLine> data;
  for (const Line& l : linesOf(text)) {
    const std::string t = trimmed(l.text);
    if (startsWith(l.text, "#")) {
      if (!t.empty()) header.push_back(t);
      const auto tok = tokensOf(t);
      if (startsWith(t, "Collective test starting:") && tok.size() >= 4) program = tok[3];
      // "warmup iters: 5 iters: 20 agg iters: 1": the timed iterations are the bare "iters:".
      for (size_t k = 0; startsWith(t, "nThread") && k + 1 < tok.size(); ++k)
        if (tok[k] == "iters:" && (k == 0 || (tok[k - 1] != "warmup" && tok[k - 1] != "agg")))
          iters = static_cast<long>(whole(tok[k + 1], path, l.number, "iters"));
      if (!tok.empty() && tok[0] == "Rank" && tok.size() >= 2) {
        const auto on = std::find(tok.begin(), tok.end(), "on");
        rankHosts[static_cast<int>(whole(tok[1], path, l.number, "rank"))] =
            on != tok.end() && on + 1 != tok.end() ? *(on + 1) : "unknown";
      }
      if (columns.empty() && std::find(tok.begin(), tok.end(), "algbw") != tok.end() &&
          std::find(tok.begin(), tok.end(), "busbw") != tok.end()) {
        columns = tok;
        columnsLine = l.number;
      } else if (!columns.empty() && timeUnit.empty() && !tok.empty() && tok[0] == "(B)") {
        timeUnit = std::find(tok.begin(), tok.end(), "(ms)") != tok.end() ? "ms" : "us";
      }
      continue;
    }
    if (t.empty() || !std::isdigit(static_cast<unsigned char>(t[0]))) continue;  // NCCL INFO
    if (columns.empty()) continue;  // numbers before the table: not results
    data.push_back({l.number, tokensOf(t)});
  }
  HOCKNEY_USAGE_CHECK(!columns.empty(),
                      "{}: no nccl-tests table (no '#' line naming algbw and busbw columns)", path);
  log.pattern = decidePattern(ncclTestsPattern(program), o, path, program);
  for (const auto& [rank, host] : rankHosts) log.hosts.push_back(host);
  log.ranks = decideRanks(static_cast<int>(rankHosts.size()), o, path);

  auto column = [&](std::initializer_list<const char*> names) -> long {
    for (const char* n : names) {
      auto it = std::find(columns.begin(), columns.end(), n);
      if (it != columns.end()) return it - columns.begin();
    }
    return -1;
  };
  const long cSize = column({"size", "bytes"}), cCount = column({"count", "N"}),
             cType = column({"type"}), cOp = column({"redop", "op"}),
             cTime = column({"time", "cputime"}), cAlg = column({"algbw"}),
             cBus = column({"busbw"});
  const long cCheck = cBus + 1 < static_cast<long>(columns.size()) ? cBus + 1 : -1;
  HOCKNEY_USAGE_CHECK(cSize >= 0 && cCount >= 0 && cType >= 0 && cOp >= 0 && cTime >= 0 &&
                          cAlg > cTime && cBus > cAlg,
                      "{}:{}: unknown nccl-tests column layout: {}", path, columnsLine,
                      fmt::join(columns, " "));
  const std::string checkName = cCheck >= 0 ? columns[static_cast<size_t>(cCheck)] : "";
  // Out-of-place and in-place columns: the row has both (or in-place only in trace replay).
  const size_t want = columns.size();
  HOCKNEY_USAGE_CHECK(!data.empty(), "{}: the table has no result rows", path);
  std::vector<ResultRow> rows;
  std::vector<std::pair<double, double>> unitEvidence;  // (time as printed, seconds from algbw)
  for (const DataLine& d : data) {
    HOCKNEY_USAGE_CHECK(d.tokens.size() == want,
                        "{}:{}: a result row of {} fields where the header has {} (a truncated or "
                        "altered log?)",
                        path, d.line, d.tokens.size(), want);
    auto at = [&](long c) { return d.tokens[static_cast<size_t>(c)]; };
    const size_t bytes = whole(at(cSize), path, d.line, "size");
    const size_t count = whole(at(cCount), path, d.line, "count");
    const std::string type = at(cType);
    const auto dtype = o.dtype.empty() ? dtypeOf(type) : std::optional(o.dtype);
    HOCKNEY_USAGE_CHECK(dtype.has_value(), "{}:{}: type '{}' has no hockney name (pass --dtype)",
                        path, d.line, type);
    std::string op = at(cOp);
    if (op == "none") op = "sum";
    HOCKNEY_USAGE_CHECK(op == "sum" || op == "prod" || op == "min" || op == "max",
                        "{}:{}: redop '{}' is not one hockney models (sum, prod, min, max)", path,
                        d.line, op);
    const double time = number(at(cTime), path, d.line, "time");
    HOCKNEY_USAGE_CHECK(time > 0, "{}:{}: time 0 is not a time", path, d.line);
    const double algbw = number(at(cAlg), path, d.line, "algbw");
    ResultRow row = importedRow("nccl", log.pattern, log.ranks, bytes, count, *dtype, op, time);
    row.algbwGbps = algbw;
    row.busbwGbps = number(at(cBus), path, d.line, "busbw");
    if (checkName == "#wrong") {
      const std::string w = at(cCheck);
      if (w != "N/A") row.check = number(w, path, d.line, "#wrong") == 0 ? "pass" : "fail";
    }
    row.iterations = 1;
    row.callsPerSample = std::max(1L, iters);
    row.details = {{"imported_from", path},
                   {"line", d.line},
                   {"time_is", "the mean over the timed calls (nccl-tests)"}};
    if (algbw >= 0.1 && bytes > 0)
      unitEvidence.emplace_back(time, static_cast<double>(bytes) / (algbw * 1e9));
    rows.push_back(std::move(row));
  }
  // Old nccl-tests printed milliseconds without a units line, newer print "(us)".
  if (timeUnit.empty()) {
    int us = 0, ms = 0;
    for (const auto& [printed, seconds] : unitEvidence) {
      us += std::abs(printed * 1e-6 / seconds - 1) < 0.1;
      ms += std::abs(printed * 1e-3 / seconds - 1) < 0.1;
    }
    HOCKNEY_USAGE_CHECK(us != ms,
                        "{}: the log has no units line, and its bandwidths do not tell whether "
                        "times are microseconds or milliseconds",
                        path);
    timeUnit = ms > us ? "ms" : "us";
    log.notes.push_back(
        fmt::format("{}: no units line; times read as {} (what size/algbw gives)", path, timeUnit));
  }
  if (timeUnit == "ms")
    for (ResultRow& r : rows) r.timeUs = r.timeUs.scaled(1e3);
  log.rows = std::move(rows);
  log.provenance = {{"path", path},
                    {"tool", "nccl-tests"},
                    {"format", "text"},
                    {"header", header},
                    {"time_unit", timeUnit}};
  return log;
}

ImportedLog importOsu(const std::string& path, const std::string& text, const ImportOptions& o) {
  ImportedLog log;
  log.tool = "osu";
  std::vector<std::string> header;
  std::string title, datatype;
  std::vector<std::string> columns;
  size_t columnsLine = 0;
  std::vector<DataLine> data;
  for (const Line& l : linesOf(text)) {
    const std::string t = trimmed(l.text);
    if (startsWith(l.text, "#")) {
      if (!t.empty()) header.push_back(t);
      if (startsWith(t, "OSU ")) title = t;
      if (startsWith(t, "Datatype:")) {
        datatype = trimmed(t.substr(9));
        if (!datatype.empty() && datatype.back() == '.') datatype.pop_back();
      }
      if (startsWith(t, "Size")) {
        columns = tokensOf(t);
        columnsLine = l.number;
      }
      continue;
    }
    if (t.empty() || columns.empty()) continue;
    if (!std::isdigit(static_cast<unsigned char>(t[0]))) continue;  // launcher chatter
    data.push_back({l.number, tokensOf(t)});
  }
  // The test, from its title: latency tests only (a bandwidth test streams a window of messages).
  std::string fromTitle, what = title;
  if (!title.empty()) {
    HOCKNEY_USAGE_CHECK(title.find("Bandwidth") == std::string::npos,
                        "{}: '{}' is a bandwidth test; import latency tests (osu_latency, "
                        "osu_allreduce, ...): the model fits time per call",
                        path, title);
    static const std::vector<std::pair<std::string, std::string>> kTitles{
        {"Allreduce", "allreduce"},
        {"Reduce_scatter", "reduce_scatter"},
        {"Reduce Scatter", "reduce_scatter"},
        {"Allgather", "allgather"},
        {"All-to-All", "alltoall"},
        {"Alltoall", "alltoall"},
        {"Broadcast", "bcast"},
        {"Bcast", "bcast"},
        {"Reduce", "reduce"},
        {"MPI Latency", "sendrecv"}};
    for (const auto& [key, pattern] : kTitles)
      if (title.find(key) != std::string::npos) {
        fromTitle = pattern;
        break;
      }
    HOCKNEY_USAGE_CHECK(!fromTitle.empty(), "{}: '{}' is not an OSU test hockney imports", path,
                        title);
  }
  log.pattern = decidePattern(fromTitle, o, path, what);
  log.ranks = decideRanks(
      0, {o.pattern, o.ranks > 0 ? o.ranks : (log.pattern == "sendrecv" ? 2 : 0), o.dtype}, path);
  HOCKNEY_USAGE_CHECK(!columns.empty(), "{}: no OSU table (no '# Size ...' line)", path);
  HOCKNEY_USAGE_CHECK(!data.empty(), "{}: the table has no result rows", path);
  std::string dtype = o.dtype;
  if (dtype.empty() && !datatype.empty()) {
    auto d = dtypeOf(datatype);
    HOCKNEY_USAGE_CHECK(d.has_value(), "{}: datatype {} has no hockney name (pass --dtype)", path,
                        datatype);
    dtype = *d;
  }
  if (dtype.empty()) {
    HOCKNEY_USAGE_CHECK(!reduces(log.pattern),
                        "{}: the log does not say its datatype (OSU before 7.x); pass --dtype",
                        path);
    dtype = "int8";  // OSU moves MPI_CHAR buffers for non-reducing tests
  }
  // "Size  Avg Latency(us)  [Min Latency(us)  Max Latency(us)  Iterations]" or "Size Latency (us)"
  const bool full = std::find(columns.begin(), columns.end(), "Iterations") != columns.end();
  const size_t want = full ? 5 : 2;
  for (const DataLine& d : data) {
    HOCKNEY_USAGE_CHECK(d.tokens.size() == want,
                        "{}:{}: a result row of {} fields where the header (line {}) has {} (a "
                        "truncated or altered log?)",
                        path, d.line, d.tokens.size(), columnsLine, want);
    const size_t bytes = whole(d.tokens[0], path, d.line, "size");
    const double avg = number(d.tokens[1], path, d.line, "latency");
    if (bytes == 0) {
      log.notes.push_back(fmt::format("{}:{}: size 0 skipped", path, d.line));
      continue;
    }
    HOCKNEY_USAGE_CHECK(avg > 0, "{}:{}: latency 0 is not a time", path, d.line);
    const size_t element = dtype == "float64" || dtype == "int64"   ? 8
                           : dtype == "float32" || dtype == "int32" ? 4
                           : dtype == "int8" || dtype == "uint8"    ? 1
                                                                    : 2;
    ResultRow row =
        importedRow("mpi", log.pattern, log.ranks, bytes, bytes / element, dtype, "sum", avg);
    if (full) {
      row.timeUs.min = number(d.tokens[2], path, d.line, "min latency");
      row.timeUs.max = number(d.tokens[3], path, d.line, "max latency");
      row.iterations = static_cast<long>(whole(d.tokens[4], path, d.line, "iterations"));
    } else {
      row.iterations = 1;
    }
    row.algbwGbps = static_cast<double>(bytes) / (avg * 1e-6) / 1e9;
    row.busbwGbps = row.algbwGbps * busFactorOf(log.pattern, log.ranks);
    row.details = {{"imported_from", path},
                   {"line", d.line},
                   {"time_is", "the mean latency over the timed calls (OSU)"}};
    log.rows.push_back(std::move(row));
  }
  HOCKNEY_USAGE_CHECK(!log.rows.empty(), "{}: no result row with a size above 0", path);
  log.provenance = {{"path", path}, {"tool", "osu"}, {"format", "text"}, {"header", header}};
  return log;
}

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
  std::set<std::string> patterns, algorithms;
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
