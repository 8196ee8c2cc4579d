#include "microbench/allocator.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <cstdlib>
#include <string_view>

#include "collectives/core/error.h"

#if defined(__GLIBC__)
#include <gnu/libc-version.h>
#include <malloc.h>
#endif

namespace hockney {
namespace {

AllocatorSettings& recorded() {
  static AllocatorSettings settings = [] {
    AllocatorSettings s;
#if defined(__GLIBC__)
    s.library = fmt::format("glibc {}", gnu_get_libc_version());
#else
    s.library = "not glibc";
#endif
    s.mode = "dynamic";
    s.note =
        "the allocator was left as it starts: its thresholds move with what the process "
        "allocated before, so a point's time may depend on the points before it";
    return s;
  }();
  return settings;
}

std::string pinnedTunables() {
  return fmt::format("GLIBC_TUNABLES=glibc.malloc.mmap_max={}:glibc.malloc.trim_threshold={}",
                     kPinnedMmapMax, kPinnedTrimThreshold);
}

}  // namespace

MallocMode parseMallocMode(const std::string& text) {
  if (text == "pinned") return MallocMode::kPinned;
  if (text == "dynamic") return MallocMode::kDynamic;
  throw UsageError(fmt::format("--malloc must be pinned or dynamic, not '{}'", text));
}

nlohmann::json AllocatorSettings::toJson() const {
  nlohmann::json j{{"library", library}, {"mode", mode}, {"note", note}};
  if (pinned) {
    j["mmap_max"] = mmapMax;
    j["trim_threshold"] = trimThreshold;
  }
  if (!reproduce.empty()) j["reproduce"] = reproduce;
  return j;
}

std::string AllocatorSettings::summary() const {
  if (mode == "pinned")
    return fmt::format("{} pinned: every block from the heap, never trimmed (outside hockney: {})",
                       library, reproduce);
  if (mode == "environment") return fmt::format("{} as {} gives it", library, reproduce);
  return fmt::format("{} dynamic: {}", library, note);
}

AllocatorSettings settleAllocator(MallocMode mode) {
  AllocatorSettings& s = recorded();
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  const std::string_view t = tunables ? tunables : "";
  if (t.find("glibc.malloc.mmap_threshold") != t.npos ||
      t.find("glibc.malloc.mmap_max") != t.npos ||
      t.find("glibc.malloc.trim_threshold") != t.npos) {
    s.mode = "environment";
    s.reproduce = fmt::format("GLIBC_TUNABLES={}", t);
    s.note = "GLIBC_TUNABLES sets the allocator's thresholds; hockney left them as given";
    return s;
  }
  if (mode == MallocMode::kDynamic) {
    s.note += " (--malloc dynamic)";
    return s;
  }
#if defined(__GLIBC__)
  // mallopt returns 1 on success; a sanitizer's allocator ignores it (0), and says so here.
  // M_TRIM_THRESHOLD -1 is SIZE_MAX to glibc: never trim.
  const bool pinned =
      mallopt(M_MMAP_MAX, kPinnedMmapMax) == 1 && mallopt(M_TRIM_THRESHOLD, -1) == 1;
#else
  const bool pinned = false;
#endif
  if (!pinned) {
    s.note =
        "the allocator's thresholds could not be pinned (mallopt refused: another malloc, such "
        "as a sanitizer's, replaces glibc's): a point's time may depend on the points before it";
    return s;
  }
  s.mode = "pinned";
  s.pinned = true;
  s.mmapMax = kPinnedMmapMax;
  s.trimThreshold = kPinnedTrimThreshold;
  s.reproduce = pinnedTunables();
  s.note =
      "malloc pinned at start (mallopt M_MMAP_MAX 0, M_TRIM_THRESHOLD off): every block comes "
      "from the heap and freed memory stays resident, so a library's per-call scratch is reused "
      "without page faults at every point and size, whatever was measured before";
  return s;
}

const AllocatorSettings& allocatorSettings() {
  return recorded();
}

long minorPageFaults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

}  // namespace hockney
