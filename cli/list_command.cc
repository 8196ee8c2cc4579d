#include <fmt/format.h>

#include "cli/commands.h"
#include "collectives/registry.h"
#include "microbench/cases.h"

namespace hockney {

ListCommand::ListCommand(CLI::App& app) {
  sub_ = app.add_subcommand("list", "List patterns and their algorithms");
}

int ListCommand::execute() {
  for (const Pattern& pattern : patterns()) {
    fmt::print("{}  ({})\n", pattern.name, pattern.summary);
    for (const Algorithm& a : pattern.algorithms) fmt::print("  {:<20} {}\n", a.name, a.summary);
    // Vendor collectives are cases of the harness, not algorithms of ours.
    for (const BenchCase& c : casesFor(pattern.name))
      if (c.vendor()) fmt::print("  {:<20} {}\n", c.algorithm, c.summary);
  }
  return 0;
}

}  // namespace hockney
