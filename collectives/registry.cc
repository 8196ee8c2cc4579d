#include "collectives/registry.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/mman.h>

#include <algorithm>
#include <functional>

#include "collectives/core/error.h"
#include "collectives/transport/counting.h"

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

namespace {

// Address space the dry run's buffers point into: reserved, never readable or writable, so an
// algorithm that touched its buffers directly (not through the transport) would fault at once.
class Reserved {
 public:
  explicit Reserved(size_t bytes) : bytes_(std::max<size_t>(bytes, 4096)) {
    base_ = mmap(nullptr, bytes_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    HOCKNEY_CHECK(base_ != MAP_FAILED, "cannot reserve {} bytes of address space", bytes_);
  }
  ~Reserved() { munmap(base_, bytes_); }
  Reserved(const Reserved&) = delete;
  Reserved& operator=(const Reserved&) = delete;
  std::byte* at(size_t offset) const { return static_cast<std::byte*>(base_) + offset; }

 private:
  size_t bytes_;
  void* base_;
};

}  // namespace

double pricedOnPlacement(const Algorithm& algorithm, const CallShape& shape,
                         const std::vector<int>& nodeOfRank, const LevelPrices& prices) {
  HOCKNEY_CHECK(static_cast<int>(nodeOfRank.size()) == shape.ranks, "placement of {} for {} ranks",
                nodeOfRank.size(), shape.ranks);
  CallShape call = shape;
  call.nodeOfRank = &nodeOfRank;
  size_t scratch = 0;
  for (int r = 0; r < call.ranks; ++r) scratch = std::max(scratch, algorithm.scratch(call, r));
  // Every rank's buffers alias the same reservation: nothing is read or written.
  const size_t span = std::max(call.bytes() * static_cast<size_t>(call.ranks), scratch) + 4096;
  const Reserved space(3 * span);
  const CallBuffers buffers{space.at(0), space.at(span), space.at(2 * span)};
  return pricedSeconds(call.ranks, nodeOfRank, prices,
                       [&](Transport& t) { algorithm.run(t, call, buffers); });
}

}  // namespace hockney
