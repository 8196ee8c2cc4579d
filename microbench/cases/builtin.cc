// The harness's patterns: one registration per file of this folder, in the registry's order.
#include <array>

#include "microbench/cases.h"

namespace hockney {

const PatternHarness& allreduceHarness();
const PatternHarness& reduceScatterHarness();
const PatternHarness& allgatherHarness();
const PatternHarness& bcastHarness();
const PatternHarness& reduceHarness();
const PatternHarness& alltoallHarness();
const PatternHarness& sendrecvHarness();
const PatternHarness& psHarness();
const PatternHarness& pipelineHarness();

std::span<const PatternHarness* const> builtinHarnesses() {
  static const std::array kHarnesses{
      &allreduceHarness(), &reduceScatterHarness(), &allgatherHarness(), &bcastHarness(),
      &reduceHarness(),    &alltoallHarness(),      &sendrecvHarness(),  &psHarness(),
      &pipelineHarness(),
  };
  return kHarnesses;
}

}  // namespace hockney
