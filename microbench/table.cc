#include "microbench/table.h"

#include <fmt/format.h>

#include "microbench/allocator.h"
#include "microbench/sizes.h"

namespace hockney {

void Table::header(const std::string& pattern, int ranks, const SweepConfig& c,
                   const std::string& outPath) {
  fmt::print(
      out_,
      "# hockney run: pattern {}, {} ranks, {} {}, {} sizes, samples {}, calls per sample {}, "
      "warm-up {}, a sample across ranks: {}\n",
      pattern, ranks, name(c.type), name(c.op), c.sizes.size(),
      c.iterations > 0 ? std::to_string(c.iterations) : std::string("auto"),
      c.batch > 0 ? std::to_string(c.batch) : std::string("auto"), c.warmup, c.rankStat);
  if (c.buffers == "hot")
    fmt::print(out_, "# out-of-place, hot buffers (one input/output pair reused); results to {}\n",
               outPath);
  else
    fmt::print(out_, "# out-of-place, cold buffers (rotating past {}); results to {}\n",
               formatBytes(c.rotateBytes), outPath);
  fmt::print(out_, "# malloc: {}\n", allocatorSettings().summary());
  fmt::print(out_,
             "#\n# {:>12} {:>11} {:>8} {:>5} {:<26} {:>10} {:>10} {:>10} {:>8} {:>8} {:>5}  {}\n",
             "size(B)", "count", "type", "redop", "algorithm", "time(us)", "min(us)", "p95(us)",
             "algbw", "busbw", "check", "flags");
  fmt::print(out_, "# {:>12} {:>11} {:>8} {:>5} {:<26} {:>10} {:>10} {:>10} {:>8} {:>8} {:>5}\n",
             "", "(elements)", "", "", "", "median", "", "", "(GB/s)", "(GB/s)", "");
  std::fflush(out_);
}

void ProgressLine::show(const std::string& text) {
  if (!on_) return;
  std::fprintf(stderr, "\r\033[K%s", text.c_str());
  std::fflush(stderr);
  shown_ = true;
}

void ProgressLine::clear() {
  if (!shown_) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  shown_ = false;
}

void Table::progress(size_t done, size_t total, const std::string& algorithm, size_t bytes) {
  line_.show(fmt::format("[{}/{}] {} {} ...", done + 1, total, algorithm, formatBytes(bytes)));
}

void Table::row(const ResultRow& r, bool resumed) {
  clearProgress();
  std::string flags;
  for (const auto& f : r.flags) flags += (flags.empty() ? "" : ",") + f;
  if (resumed) flags += (flags.empty() ? "" : ",") + std::string("resumed");
  fmt::print(out_,
             "  {:>12} {:>11} {:>8} {:>5} {:<26} {:>10.2f} {:>10.2f} {:>10.2f} {:>8.3f} {:>8.3f} "
             "{:>5}  {}\n",
             r.bytes, r.count, r.dtype, r.op, r.algorithm, r.timeUs.median, r.timeUs.min,
             r.timeUs.p95, r.algbwGbps, r.busbwGbps, r.check, flags);
  if (!r.checkDetail.empty()) fmt::print(out_, "#   check failed: {}\n", r.checkDetail);
  std::fflush(out_);
}

void Table::note(const std::string& text) {
  clearProgress();
  fmt::print(out_, "# note: {}\n", text);
  std::fflush(out_);
}

void Table::footer(size_t rows, size_t failed, const std::string& outPath) {
  clearProgress();
  fmt::print(out_, "#\n# {} points, {} failed validation; report written to {}\n", rows, failed,
             outPath);
  std::fflush(out_);
}

}  // namespace hockney
