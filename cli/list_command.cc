#include <fmt/format.h>

#include "cli/commands.h"
#include "collectives/registry.h"
#include "microbench/cases.h"

namespace hockney {

ListCommand::ListCommand(CLI::App& app) {
  sub_ = app.add_subcommand("list", "List patterns and their algorithms");
}

int ListCommand::execute() {
  fmt::print("{}", describePatterns(/*variants=*/true));
  return 0;
}

}  // namespace hockney
