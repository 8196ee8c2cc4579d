#pragma once
// The terminal table, in the layout nccl-tests users know: one line per finished point, a
// progress line on a TTY, notes and a summary at the end. Rank 0 only.
#include <cstdio>
#include <string>

#include "microbench/sweep.h"
#include "reports/results.h"

namespace hockney {

// One line of progress on stderr, rewritten in place (when `on`: a TTY), cleared before output.
class ProgressLine {
 public:
  explicit ProgressLine(bool on) : on_(on) {}
  void show(const std::string& text);
  void clear();

 private:
  bool on_;
  bool shown_ = false;
};

class Table {
 public:
  Table(std::FILE* out, bool progressOnStderr) : out_(out), line_(progressOnStderr) {}
  void header(const std::string& pattern, int ranks, const SweepConfig& config,
              const std::string& outPath);
  void progress(size_t done, size_t total, const std::string& algorithm, size_t bytes);
  void row(const ResultRow& row, bool resumed);
  void note(const std::string& text);
  void footer(size_t rows, size_t failed, const std::string& outPath);

 private:
  void clearProgress() { line_.clear(); }
  std::FILE* out_;
  ProgressLine line_;
};

}  // namespace hockney
