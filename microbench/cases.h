#pragma once
// The registry of benchmark cases: every algorithm of every pattern, own and vendor, plugs into
// the one harness through the same few functions (as nccl-tests' testColl), so all share
// buffers, timing, validation and reporting.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectives/core/cost.h"
#include "collectives/core/datatype.h"
#include "collectives/transport/transport.h"

namespace hockney {

struct CaseShape {
  int ranks = 1;
  size_t bytes = 0;  // the size the row reports
  size_t count = 0;  // elements
  DataType type = DataType::kFloat32;
  ReduceOp op = ReduceOp::kSum;
  size_t chunkBytes = 0;  // pipelining segment for algorithms that have one
};

struct CaseBuffers {
  const void* input;
  void* output;
  void* scratch;
};

struct BenchCase {
  std::string pattern;
  std::string algorithm;
  bool vendor = false;
  std::string summary;
  double (*busFactor)(int p);  // busbw = algbw × factor (nccl-tests' definitions)
  std::function<size_t(const CaseShape&)> inputBytes;
  std::function<size_t(const CaseShape&)> outputBytes;
  std::function<size_t(const CaseShape&)> scratchBytes;
  std::function<void(void* input, const CaseShape&, int rank)> init;
  // The first wrong element described, or nullopt.
  std::function<std::optional<std::string>(const void* output, const CaseShape&, int rank)> verify;
  std::function<void(Transport&, const CaseShape&, const CaseBuffers&)> run;
  // Critical-path coefficients; none for vendor cases (black boxes, fitted as α' + n·β').
  std::function<std::optional<Cost>(const CaseShape&)> cost;
};

std::vector<std::string> patternNames();
// Every case of a pattern, own algorithms first, vendor last. Throws UsageError for an unknown
// pattern.
std::vector<BenchCase> casesFor(std::string_view pattern);
// The cases named (or all for "all"); throws UsageError naming an unknown algorithm and listing
// the pattern's algorithms.
std::vector<BenchCase> selectCases(std::string_view pattern, const std::vector<std::string>& names);

}  // namespace hockney
