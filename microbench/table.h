#pragma once
// The terminal table, in the layout nccl-tests users know: one line per finished point, a
// progress line on a TTY, notes and a summary at the end. Rank 0 only.
#include <cstdio>
#include <string>

#include "microbench/sweep.h"
#include "reports/results.h"

namespace hockney {

class Table {
 public:
  Table(std::FILE* out, bool progressOnStderr) : out_(out), progress_(progressOnStderr) {}
  void header(const std::string& pattern, int ranks, const SweepConfig& config,
              const std::string& outPath);
  void progress(size_t done, size_t total, const std::string& algorithm, size_t bytes);
  void row(const ResultRow& row, bool resumed);
  void note(const std::string& text);
  void footer(size_t rows, size_t failed, const std::string& outPath);

 private:
  void clearProgress();
  std::FILE* out_;
  bool progress_;
  bool progressShown_ = false;
};

}  // namespace hockney
