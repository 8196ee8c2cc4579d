#include <fmt/format.h>

#include "cli/commands.h"
#include "microbench/cases.h"

namespace hockney {

ListCommand::ListCommand(CLI::App& app) {
  sub_ = app.add_subcommand("list", "List patterns and their algorithms");
}

int ListCommand::execute() {
  for (const std::string& pattern : patternNames()) {
    fmt::print("{}\n", pattern);
    for (const BenchCase& c : casesFor(pattern))
      fmt::print("  {:<20} {}\n", c.algorithm, c.summary);
  }
  return 0;
}

}  // namespace hockney
