#include "collectives/registry.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <functional>

#include "collectives/core/error.h"

namespace hockney {

const PatternParams& CallShape::options() const {
  static const PatternParams kDefaults;
  return params ? *params : kDefaults;
}

namespace {

std::vector<std::reference_wrapper<const Pattern>>& known() {
  // The order `hockney list` prints and `run --pattern` documents; registered ones follow.
  static std::vector<std::reference_wrapper<const Pattern>> all{
      allreducePattern(), reduceScatterPattern(), allgatherPattern(),
      bcastPattern(),     reducePattern(),        alltoallPattern(),
      sendrecvPattern(),  paramServerPattern(),   pipelinePattern(),
  };
  return all;
}

}  // namespace

const std::vector<std::reference_wrapper<const Pattern>>& patterns() {
  return known();
}

void registerPattern(const Pattern& pattern) {
  HOCKNEY_CHECK(pattern.name != kPairMatrix, "'{}' is the pair matrix, not a pattern name",
                pattern.name);
  for (const Pattern& p : known())
    HOCKNEY_CHECK(p.name != pattern.name, "pattern '{}' is registered already", pattern.name);
  for (const Algorithm& a : pattern.algorithms)
    HOCKNEY_CHECK(a.pattern == pattern.name, "algorithm {} of pattern '{}' names pattern '{}'",
                  a.name, pattern.name, a.pattern);
  known().push_back(pattern);
}

size_t Pattern::unitBytes(int p, DataType type) const {
  return facts.blocks ? elementSize(type) * static_cast<size_t>(std::max(p, 1)) : elementSize(type);
}

const VendorCall* Pattern::vendor(std::string_view backend) const {
  for (const VendorCall& v : facts.vendors)
    if (v.backend == backend) return &v;
  return nullptr;
}

double allreduceBusFactor(int p) {
  return p > 1 ? 2.0 * (p - 1) / p : 0.0;
}

double blockBusFactor(int p) {
  return p > 1 ? static_cast<double>(p - 1) / p : 0.0;
}

double unitBusFactor(int) {
  return 1.0;
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
