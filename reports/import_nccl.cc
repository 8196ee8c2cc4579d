// nccl-tests logs: the text table (every version's columns; 2.4-era times in milliseconds
// without a units line) and the -J JSON.
#include "reports/import.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "collectives/core/error.h"
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
  std::string program;
  std::map<int, std::string> rankHosts;
  long iters = 0;
  std::vector<std::string> columns;  // the column-name line's tokens
  std::string timeUnit;              // "us", "ms", or "" (not stated)
  size_t columnsLine = 0;
  auto onComment = [&](const std::string& t, size_t line) {
    const auto tok = tokensOf(t);
    if (startsWith(t, "Collective test starting:") && tok.size() >= 4) program = tok[3];
    // "warmup iters: 5 iters: 20 agg iters: 1": the timed iterations are the bare "iters:".
    for (size_t k = 0; startsWith(t, "nThread") && k + 1 < tok.size(); ++k)
      if (tok[k] == "iters:" && (k == 0 || (tok[k - 1] != "warmup" && tok[k - 1] != "agg")))
        iters = static_cast<long>(whole(tok[k + 1], path, line, "iters"));
    if (!tok.empty() && tok[0] == "Rank" && tok.size() >= 2) {
      const auto on = std::find(tok.begin(), tok.end(), "on");
      rankHosts[static_cast<int>(whole(tok[1], path, line, "rank"))] =
          on != tok.end() && on + 1 != tok.end() ? *(on + 1) : "unknown";
    }
    if (columns.empty() && std::find(tok.begin(), tok.end(), "algbw") != tok.end() &&
        std::find(tok.begin(), tok.end(), "busbw") != tok.end()) {
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

}  // namespace hockney
