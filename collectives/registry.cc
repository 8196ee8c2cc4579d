#include "collectives/registry.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <functional>

#include "collectives/core/error.h"

namespace hockney {

const PatternParams& CallShape::options() const {
  static const PatternParams kDefaults;
  return params ? *params : kDefaults;
}

std::span<const Pattern> patterns() {
  // The order `hockney list` prints and `run --pattern` documents.
  static const std::array kPatterns{
      allreducePattern(), reduceScatterPattern(), allgatherPattern(),
      bcastPattern(),     reducePattern(),        alltoallPattern(),
      sendrecvPattern(),  paramServerPattern(),   pipelinePattern(),
  };
  return kPatterns;
}

std::vector<std::string> patternNames() {
  std::vector<std::string> names;
  for (const Pattern& p : patterns()) names.emplace_back(p.name);
  return names;
}

const Pattern& findPattern(std::string_view pattern) {
  for (const Pattern& p : patterns())
    if (p.name == pattern) return p;
  throw UsageError(fmt::format("unknown pattern '{}' (available: {})", pattern,
                               fmt::join(patternNames(), ", ")));
}

const Algorithm* findAlgorithm(std::string_view pattern, std::string_view name) {
  for (const Pattern& p : patterns())
    if (p.name == pattern)
      for (const Algorithm& a : p.algorithms)
        if (a.name == name) return &a;
  return nullptr;
}

size_t noScratch(const CallShape&, int) {
  return 0;
}

size_t wholeVector(const CallShape& s, int) {
  return s.bytes();
}

void noCheck(const PatternParams&, int) {}

void checkRoot(const PatternParams& o, int p) {
  HOCKNEY_USAGE_CHECK(o.root >= 0 && o.root < p, "--root {} is not a rank of {}", o.root, p);
}

}  // namespace hockney
