// OSU Micro-Benchmarks latency tests (osu_allreduce, osu_latency, ...; 5.x and 7.x layouts).
#include "reports/import.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "collectives/core/error.h"
#include "collectives/registry.h"
#include "reports/import_text.h"
#include "reports/json_io.h"

namespace hockney {

using nlohmann::json;
using namespace importing;

ImportedLog importOsu(const std::string& path, const std::string& text, const ImportOptions& o) {
  ImportedLog log;
  log.tool = "osu";
  std::string title, datatype;
  std::vector<std::string> columns;
  size_t columnsLine = 0;
  auto onComment = [&](const std::string& t, size_t line) {
    if (startsWith(t, "OSU ")) title = t;
    if (startsWith(t, "Datatype:")) {
      datatype = trimmed(t.substr(9));
      if (!datatype.empty() && datatype.back() == '.') datatype.pop_back();
    }
    if (startsWith(t, "Size")) {
      columns = tokensOf(t);
      columnsLine = line;
    }
  };
  const ScannedLog scanned = scanLog(text, onComment, [&] { return !columns.empty(); });
  const std::vector<std::string>& header = scanned.header;
  const std::vector<DataLine>& data = scanned.data;
  if (const std::string n = scanned.note(path); !n.empty()) log.notes.push_back(n);
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
  HOCKNEY_USAGE_CHECK(!findPattern(log.pattern).facts.pointToPoint || o.ranks == 0 || o.ranks == 2,
                      "{}: {} is a test between 2 ranks; --ranks {} does not describe it", path,
                      log.pattern, o.ranks);
  log.ranks = decideRanks(
      0,
      {o.pattern, o.ranks > 0 ? o.ranks : (findPattern(log.pattern).facts.pointToPoint ? 2 : 0),
       o.dtype, o.level},
      path);
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
    HOCKNEY_USAGE_CHECK(!findPattern(log.pattern).facts.reduces,
                        "{}: the log does not say its datatype (OSU before 7.x); pass --dtype",
                        path);
    dtype = "int8";  // OSU moves MPI_CHAR buffers for non-reducing tests
    log.notes.push_back(fmt::format(
        "{}: no datatype line; recorded as int8 (OSU's MPI_CHAR buffers for {}); --dtype says "
        "otherwise",
        path, log.pattern));
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
    HOCKNEY_USAGE_CHECK(bytes % element == 0,
                        "{}:{}: size {} B is not a whole number of {} elements ({} B each): a "
                        "truncated or altered log, or the wrong --dtype?",
                        path, d.line, bytes, dtype, element);
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
    row.busbwGbps = row.algbwGbps * findPattern(log.pattern).facts.busFactor(log.ranks);
    row.details = {{"imported_from", path},
                   {"line", d.line},
                   {"time_is", "the mean latency over the timed calls (OSU)"}};
    log.rows.push_back(std::move(row));
  }
  HOCKNEY_USAGE_CHECK(!log.rows.empty(), "{}: no result row with a size above 0", path);
  placeRows(log, {}, o, path);
  log.provenance = {{"path", path},
                    {"tool", "osu"},
                    {"format", "text"},
                    {"header", header},
                    {"launcher_prefixes", scanned.launchers}};
  return log;
}

}  // namespace hockney
