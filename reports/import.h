#pragma once
// `hockney import`: logs people already have, as results reports `fit` accepts. nccl-tests (its
// text table, every version's column layout, and its -J JSON) and the OSU Micro-Benchmarks'
// latency tests become rows of the vendor collective (algorithm "vendor", black boxes to the
// fit), with the file and its header as provenance. Malformed or truncated logs are UsageErrors
// naming the file and line.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "collectives/core/link_level.h"
#include "reports/results.h"

namespace hockney {

struct ImportOptions {
  std::string pattern;  // empty: from the log (nccl-tests program name, OSU test title)
  int ranks = 0;        // 0: from the log (nccl-tests device lines); OSU needs it
  std::string dtype;    // empty: from the log
  // The level the rows crossed; none: from the device lines (one host: node, several: network),
  // not recorded without them.
  std::optional<LinkLevel> level;
};

struct ImportedLog {
  std::string tool;  // "nccl-tests" or "osu"
  std::string pattern;
  int ranks = 0;
  std::vector<std::string> hosts;  // one per rank where the log names them
  std::string device;              // the GPU model of the device lines ("" if none)
  int ranksPerHost = 0;            // from the device lines (the most on one host); 0: unknown
  LinkLevel level = LinkLevel::kUnrecorded;
  std::vector<ResultRow> rows;
  nlohmann::json provenance;  // path, tool, header lines / JSON config
  std::vector<std::string> notes;
};

// The text of one log (path only names it in errors and provenance).
ImportedLog importNcclTests(const std::string& path, const std::string& text,
                            const ImportOptions& options);
ImportedLog importOsu(const std::string& path, const std::string& text,
                      const ImportOptions& options);

// A results report of imported logs (one tool, one pattern and rank count across them).
nlohmann::json importedReport(const std::vector<ImportedLog>& logs, const std::string& commandLine,
                              const std::string& toolVersion, const std::string& gitCommit);

}  // namespace hockney
