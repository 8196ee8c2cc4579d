// nccl-tests logs: the text table (every version's columns; 2.4-era times in milliseconds
// without a units line) and the -J JSON.
#include "reports/import.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "collectives/core/error.h"
#include "collectives/registry.h"
#include "reports/import_text.h"
#include "reports/json_io.h"

namespace hockney {

using nlohmann::json;
using namespace importing;

namespace {

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

std::string reductionOf(std::string op, const std::string& where) {
  if (op == "none") op = "sum";
  HOCKNEY_USAGE_CHECK(op == "sum" || op == "prod" || op == "min" || op == "max",
                      "{}: redop '{}' is not one hockney models (sum, prod, min, max)", where, op);
  return op;
}

// The GPU of a device line: what follows its "[bus id]" ("NVIDIA H100 80GB HBM3").
std::string deviceModel(const std::vector<std::string>& tok) {
  auto bus = std::find_if(tok.begin(), tok.end(), [](const std::string& t) {
    return !t.empty() && t.front() == '[' && t.back() == ']';
  });
  if (bus == tok.end()) return "";
  std::vector<std::string> rest(bus + 1, tok.end());
  return fmt::format("{}", fmt::join(rest, " "));
}

// nccl-tests' columns as CSV, the lookup tables vTrain publishes of nccl-tests runs
// ("size(B),count,type,time(ns),busbw(GB/s),time(ns),busbw(GB/s)": out-of-place, then in-place).
// No device lines: the pattern and ranks come from the options, the level from --level.
ImportedLog importCsv(const std::string& path, const std::string& text, const ImportOptions& o) {
  ImportedLog log;
  log.tool = "nccl-tests";
  const std::vector<Line> lines = linesOf(text);
  const std::vector<std::string> header = [&] {
    std::vector<std::string> f;
    std::stringstream in(lines.at(0).text);
    for (std::string c; std::getline(in, c, ',');) f.push_back(c);
    return f;
  }();
  HOCKNEY_USAGE_CHECK(header.size() == 7 && header[3] == "time(ns)" && header[5] == "time(ns)",
                      "{}:1: unknown nccl-tests CSV layout: {} (hockney reads "
                      "size(B),count,type,time(ns),busbw(GB/s),time(ns),busbw(GB/s))",
                      path, lines[0].text);
  log.pattern = decidePattern("", o, path, "");
  log.ranks = decideRanks(0, o, path);
  const double factor = findPattern(log.pattern).facts.busFactor(log.ranks);
  for (size_t i = 1; i < lines.size(); ++i) {
    const Line& l = lines[i];
    if (trimmed(l.text).empty()) continue;
    std::vector<std::string> f;
    std::stringstream in(l.text);
    for (std::string c; std::getline(in, c, ',');) f.push_back(c);
    HOCKNEY_USAGE_CHECK(f.size() == 7,
                        "{}:{}: a row of {} fields where the header has 7 (a truncated or altered "
                        "table?)",
                        path, l.number, f.size());
    const size_t bytes = whole(f[0], path, l.number, "size");
    const auto dtype = o.dtype.empty() ? dtypeOf(f[2]) : std::optional(o.dtype);
    HOCKNEY_USAGE_CHECK(dtype.has_value(), "{}:{}: type '{}' has no hockney name (pass --dtype)",
                        path, l.number, f[2]);
    if (bytes == 0) continue;
    for (int placement = 0; placement < 2; ++placement) {
      const double ns = number(f[3 + 2 * placement], path, l.number, "time");
      HOCKNEY_USAGE_CHECK(ns > 0, "{}:{}: time 0 is not a time", path, l.number);
      ResultRow row = importedRow("nccl", log.pattern, log.ranks, bytes,
                                  whole(f[1], path, l.number, "count"), *dtype, "sum", ns / 1e3);
      row.busbwGbps = number(f[4 + 2 * placement], path, l.number, "busbw");
      row.algbwGbps = factor > 0 ? row.busbwGbps / factor : 0;
      row.inPlace = placement == 1;
      row.iterations = 1;
      row.details = {{"imported_from", path},
                     {"line", l.number},
                     {"time_is", "nccl-tests' mean over the timed calls, as the table gives it"}};
      log.rows.push_back(std::move(row));
    }
  }
  HOCKNEY_USAGE_CHECK(!log.rows.empty(), "{}: the table has no result rows", path);
  placeRows(log, {}, o, path);
  log.notes.push_back(fmt::format(
      "{}: a CSV table of nccl-tests columns (no device lines): {} ranks from --ranks, the "
      "reduction from its type column's test (sum)",
      path, log.ranks));
  log.provenance = {
      {"path", path}, {"tool", "nccl-tests"}, {"format", "csv"}, {"header", lines[0].text}};
  return log;
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
      std::vector<std::string> models;
      for (const json& d : devices)
        if (d.contains("device_info")) models.push_back(d["device_info"].get<std::string>());
      const long iters = j["config"].value("iterations", 1L);
      for (size_t i = 0; i < j.at("results").size(); ++i) {
        const json& r = j["results"][i];
        const std::string where = fmt::format("{}: results[{}]", path, i);
        const std::string type = r.at("type").get<std::string>();
        const auto dtype = o.dtype.empty() ? dtypeOf(type) : std::optional(o.dtype);
        HOCKNEY_USAGE_CHECK(dtype.has_value(), "{}: type '{}' has no hockney name", where, type);
        const std::string op = reductionOf(r.at("redop").get<std::string>(), where);
        const size_t bytes = wholeNumber<size_t>(r, "size");
        if (bytes == 0) continue;  // nccl-tests -b 0: nothing moved
        // Out-of-place and in-place: two rows, never pooled.
        for (const char* placement : {"out_of_place", "in_place"}) {
          if (!r.contains(placement) || !r[placement].is_object()) continue;
          const json& m = r[placement];
          const double t =
              m.contains("time") ? m["time"].get<double>() : m.at("cpu_time").get<double>();
          HOCKNEY_USAGE_CHECK(std::isfinite(t) && t > 0, "{}: time {} is not a time", where, t);
          ResultRow row = importedRow("nccl", log.pattern, log.ranks, bytes,
                                      wholeNumber<size_t>(r, "count"), *dtype, op, t);
          row.algbwGbps = m.value("alg_bw", 0.0);
          row.busbwGbps = m.value("bus_bw", 0.0);
          row.inPlace = std::string(placement) == "in_place";
          row.iterations = 1;
          row.callsPerSample = std::max(1L, r.value("actual_iterations", iters));
          if (m.contains("nwrong") && m["nwrong"].is_number())
            row.check = m["nwrong"].get<double>() == 0 ? "pass" : "fail";
          row.details = {{"imported_from", path},
                         {"result", i},
                         {"time_is", "the mean over the timed calls (nccl-tests)"}};
          log.rows.push_back(std::move(row));
        }
      }
      placeRows(log, models, o, path);
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

  if (first != std::string::npos && startsWith(text.substr(first), "size(B),"))
    return importCsv(path, text, o);

  // The text table.
  std::string program;
  size_t programLine = 0;
  std::map<int, std::string> rankHosts, rankDevices;
  long iters = 0;
  std::vector<std::string> columns;  // the column-name line's tokens
  std::string timeUnit;              // "us", "ms", or "" (not stated)
  size_t columnsLine = 0, secondTable = 0, footerLine = 0, deviceLine = 0;
  auto onComment = [&](const std::string& t, size_t line) {
    const auto tok = tokensOf(t);
    if (startsWith(t, "Collective test starting:") && tok.size() >= 4) {
      HOCKNEY_USAGE_CHECK(program.empty() || program == tok[3],
                          "{}:{}: a second collective ({}) after {} (line {}): one log, one "
                          "collective; import each collective's log on its own",
                          path, line, tok[3], program, programLine);
      if (program.empty()) programLine = line;
      program = tok[3];
    }
    // "warmup iters: 5 iters: 20 agg iters: 1": the timed iterations are the bare "iters:".
    for (size_t k = 0; startsWith(t, "nThread") && k + 1 < tok.size(); ++k)
      if (tok[k] == "iters:" && (k == 0 || (tok[k - 1] != "warmup" && tok[k - 1] != "agg")))
        iters = static_cast<long>(whole(tok[k + 1], path, line, "iters"));
    if (!tok.empty() && tok[0] == "Rank" && tok.size() >= 2) {
      const int rank = static_cast<int>(whole(tok[1], path, line, "rank"));
      const auto on = std::find(tok.begin(), tok.end(), "on");
      rankHosts[rank] = on != tok.end() && on + 1 != tok.end() ? *(on + 1) : "unknown";
      rankDevices[rank] = deviceModel(tok);
      if (deviceLine == 0) deviceLine = line;
    }
    if (startsWith(t, "Avg bus bandwidth")) footerLine = line;
    const bool isColumns = std::find(tok.begin(), tok.end(), "algbw") != tok.end() &&
                           std::find(tok.begin(), tok.end(), "busbw") != tok.end();
    if (isColumns && !columns.empty() && secondTable == 0) secondTable = line;
    if (columns.empty() && isColumns) {
      columns = tok;
      columnsLine = line;
    } else if (!columns.empty() && timeUnit.empty() && !tok.empty() && tok[0] == "(B)") {
      timeUnit = std::find(tok.begin(), tok.end(), "(ms)") != tok.end() ? "ms" : "us";
    }
  };
  const ScannedLog scanned = scanLog(text, onComment, [&] { return !columns.empty(); });
  const std::vector<std::string>& header = scanned.header;
  const std::vector<DataLine>& data = scanned.data;
  HOCKNEY_USAGE_CHECK(!columns.empty(),
                      "{}: no nccl-tests table (no '#' line naming algbw and busbw columns)", path);
  HOCKNEY_USAGE_CHECK(secondTable == 0,
                      "{}:{}: a second nccl-tests table (the first at line {}): one log, one run; "
                      "import each run's log on its own",
                      path, secondTable, columnsLine);
  if (const std::string n = scanned.note(path); !n.empty()) log.notes.push_back(n);
  log.pattern = decidePattern(ncclTestsPattern(program), o, path, program);
  std::vector<std::string> models;
  for (const auto& [rank, host] : rankHosts) log.hosts.push_back(host);
  for (const auto& [rank, model] : rankDevices)
    if (!model.empty()) models.push_back(model);
  log.ranks = decideRanks(static_cast<int>(rankHosts.size()), o, path, deviceLine);

  auto column = [&](std::initializer_list<const char*> names) -> long {
    for (const char* n : names) {
      auto it = std::find(columns.begin(), columns.end(), n);
      if (it != columns.end()) return it - columns.begin();
    }
    return -1;
  };
  const long cSize = column({"size", "bytes"}), cCount = column({"count", "N"}),
             cType = column({"type"}), cOp = column({"redop", "op"});
  // Out-of-place, then in-place: a group of time, algbw, busbw and a check column each.
  struct Placement {
    long time = -1, alg = -1, bus = -1, check = -1;
    bool inPlace = false;
  };
  std::vector<Placement> placements;
  for (long c = 0; c < static_cast<long>(columns.size()); ++c) {
    const std::string& n = columns[static_cast<size_t>(c)];
    if (n != "time" && n != "cputime") continue;
    Placement p{c, c + 1, c + 2, -1, !placements.empty()};
    const long last = static_cast<long>(columns.size());
    if (p.bus < last && columns[static_cast<size_t>(p.alg)] == "algbw" &&
        columns[static_cast<size_t>(p.bus)] == "busbw") {
      if (p.bus + 1 < last && columns[static_cast<size_t>(p.bus + 1)] != "time")
        p.check = p.bus + 1;
      placements.push_back(p);
    }
  }
  HOCKNEY_USAGE_CHECK(cSize >= 0 && cCount >= 0 && cType >= 0 && cOp >= 0 && !placements.empty() &&
                          placements.size() <= 2,
                      "{}:{}: unknown nccl-tests column layout: {}", path, columnsLine,
                      fmt::join(columns, " "));
  const size_t want = columns.size();
  HOCKNEY_USAGE_CHECK(!data.empty(), "{}: the table has no result rows", path);
  std::vector<ResultRow> rows;
  std::vector<std::pair<double, double>> unitEvidence;  // (time as printed, seconds from algbw)
  size_t zeroRows = 0;
  for (const DataLine& d : data) {
    HOCKNEY_USAGE_CHECK(d.tokens.size() == want,
                        "{}:{}: a result row of {} fields where the header (line {}) has {} (a "
                        "truncated or altered log?)",
                        path, d.line, d.tokens.size(), columnsLine, want);
    auto at = [&](long c) { return d.tokens[static_cast<size_t>(c)]; };
    const size_t bytes = whole(at(cSize), path, d.line, "size");
    const size_t count = whole(at(cCount), path, d.line, "count");
    const std::string type = at(cType);
    const auto dtype = o.dtype.empty() ? dtypeOf(type) : std::optional(o.dtype);
    HOCKNEY_USAGE_CHECK(dtype.has_value(), "{}:{}: type '{}' has no hockney name (pass --dtype)",
                        path, d.line, type);
    const std::string op = reductionOf(at(cOp), fmt::format("{}:{}", path, d.line));
    if (bytes == 0) {  // -b 0: the call moves nothing
      ++zeroRows;
      continue;
    }
    for (const Placement& p : placements) {
      const double time = number(at(p.time), path, d.line, "time");
      HOCKNEY_USAGE_CHECK(time > 0, "{}:{}: time 0 is not a time", path, d.line);
      const double algbw = number(at(p.alg), path, d.line, "algbw");
      ResultRow row = importedRow("nccl", log.pattern, log.ranks, bytes, count, *dtype, op, time);
      row.algbwGbps = algbw;
      row.busbwGbps = number(at(p.bus), path, d.line, "busbw");
      row.inPlace = p.inPlace;
      if (p.check >= 0 && columns[static_cast<size_t>(p.check)] == "#wrong") {
        const std::string w = at(p.check);
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
  }
  HOCKNEY_USAGE_CHECK(!rows.empty(), "{}: no result row with a size above 0", path);
  if (zeroRows > 0)
    log.notes.push_back(fmt::format("{}: {} rows of size 0 skipped", path, zeroRows));
  if (footerLine == 0)
    log.notes.push_back(fmt::format(
        "{}: no '# Avg bus bandwidth' line after the table: the log may end early (its last row "
        "is line {})",
        path, data.back().line));
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
  placeRows(log, models, o, path);
  log.provenance = {{"path", path},
                    {"tool", "nccl-tests"},
                    {"format", "text"},
                    {"header", header},
                    {"time_unit", timeUnit},
                    {"launcher_prefixes", scanned.launchers},
                    {"table_rank", scanned.tableRank >= 0 ? json(scanned.tableRank) : json()}};
  return log;
}

}  // namespace hockney
