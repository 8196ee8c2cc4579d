#pragma once
// What the log importers share (reports/import*.cc): lines and fields of a text log, numbers
// that name their line when malformed, the names hockney gives types and patterns, and the row
// every importer builds. Internal to reports/.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "reports/import.h"

namespace hockney::importing {

struct Line {
  size_t number;  // 1-based
  std::string text;
};

struct DataLine {  // a result row of a log's table, split into fields
  size_t line;
  std::vector<std::string> tokens;
};

std::vector<Line> linesOf(const std::string& text);

// A log split the way both tools print it, as job logs carry it: a launcher's prefix (srun -l
// "N: ", mpirun --tag-output "[1,N]<stdout>:", "[N] ", SkyPilot's "(node, rank=N, ...)") and
// leading timestamps come off every line, and only the lines of the rank that printed the table
// (the first '#' line's) are read. Then every '#' line (trimmed) goes to `onComment` and into the
// header; a line starting with a digit, once `inTable()` says the column line has been seen, is a
// result row; anything else (launcher chatter, NCCL INFO) is skipped.
struct ScannedLog {
  std::vector<std::string> header;
  std::vector<DataLine> data;
  std::vector<std::string> launchers;  // the prefixes taken off ("srun -l", "timestamps", ...)
  int tableRank = -1;                  // the rank whose lines were read; -1: no rank prefixes
  size_t otherRankLines = 0;           // lines of other ranks, skipped
  // A note on the prefixes taken off and the lines skipped, or empty.
  std::string note(const std::string& path) const;
};
ScannedLog scanLog(const std::string& text,
                   const std::function<void(const std::string& comment, size_t line)>& onComment,
                   const std::function<bool()>& inTable);
std::vector<std::string> tokensOf(const std::string& s);
bool startsWith(const std::string& s, const std::string& prefix);
std::string trimmed(std::string s);  // without leading '#', spaces and tabs, nor trailing blanks

// A finite, non-negative number (or a whole one), or a UsageError naming the file, line and
// field.
double number(const std::string& token, const std::string& path, size_t line, const char* what);
size_t whole(const std::string& token, const std::string& path, size_t line, const char* what);

// nccl-tests' and OSU's element types as reports name them, or nullopt.
std::optional<std::string> dtypeOf(const std::string& t);

// The pattern and rank count: the log's and the option's, which must agree; UsageError when
// neither says.
std::string decidePattern(const std::string& fromLog, const ImportOptions& o,
                          const std::string& path, const std::string& what);
int decideRanks(int fromLog, const ImportOptions& o, const std::string& path,
                size_t line = 0);  // line: where the log names its ranks (0: not a line)

// The hosts, ranks per host, device and level of an imported log's rows (from the device lines
// the importer read into `log.hosts` and `devices`, or `o.level`), recorded in every row and a
// note said where the level is not recorded.
void placeRows(ImportedLog& log, const std::vector<std::string>& devices, const ImportOptions& o,
               const std::string& path);

// A row of the vendor collective, hot buffers, every statistic the one time the log gives.
ResultRow importedRow(const std::string& backend, const std::string& pattern, int ranks,
                      size_t bytes, size_t count, const std::string& dtype, const std::string& op,
                      double timeUs);

}  // namespace hockney::importing
