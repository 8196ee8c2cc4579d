#pragma once
// The allocator state every point is measured in, and the page faults a call pays.
//
// Why: MPI libraries allocate scratch per call (Open MPI 4.1's MPI_Allreduce and
// MPI_Reduce_scatter_block malloc and free a buffer of up to the message size on every call).
// glibc serves a block from its heap, whose pages stay resident, or maps it afresh, paying a
// minor page fault per 4 KiB page on every call: 1 MiB MPI_Reduce_scatter_block read 522 us with
// 225 faults per call and 130 us with none on this VM, in the same process, depending only on
// what the process had allocated before (microbench/BENCHMARKS.md, "The allocator's state").
// glibc decides with thresholds that move with the process's history: the mmap threshold rises
// to the largest mapped block freed so far (at most 32 MiB on 64-bit), the heap is trimmed when
// its free top exceeds twice that. A sweep therefore measured one call in several states.
//
// Pinned (the default), every hockney process sets both thresholds at start to where glibc's
// own rule ends in any process that has freed a block of 32 MiB: mmap threshold 32 MiB, trim
// threshold 64 MiB. Every point then sees the same allocator whatever was measured before it:
// blocks up to 32 MiB come from resident heap pages, larger ones are mapped afresh on every call
// (as they are in any glibc process, fresh or not: that cost is real and stays in the figures,
// and rows count it as minor_faults_per_call). Outside hockney the same state is
// GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=67108864.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>

namespace hockney {

enum class MallocMode {
  kPinned,   // thresholds fixed at glibc's dynamic ceiling (the default)
  kDynamic,  // glibc's own moving thresholds: figures depend on what the process did before
};

// "pinned" / "dynamic"; throws UsageError for anything else.
MallocMode parseMallocMode(const std::string& text);

inline constexpr size_t kPinnedMmapThreshold = size_t{32} << 20;  // glibc's 64-bit maximum
inline constexpr size_t kPinnedTrimThreshold = 2 * kPinnedMmapThreshold;

// What the process's allocator was told, for the report's provenance.
struct AllocatorSettings {
  std::string library;  // "glibc 2.36", or "not glibc"
  std::string mode;     // "pinned", "dynamic", "environment" (GLIBC_TUNABLES named a threshold)
  size_t mmapThreshold = 0;  // pinned only
  size_t trimThreshold = 0;
  std::string reproduce;  // how to get the same state outside hockney
  std::string note;

  nlohmann::json toJson() const;
  std::string summary() const;  // one line for a command's header
};

// Once per process, before MPI starts (its allocations then follow the same rule). A
// GLIBC_TUNABLES that names a malloc threshold is the user's choice and is left alone.
AllocatorSettings settleAllocator(MallocMode mode);
// What settleAllocator did in this process (mode "dynamic" if it was never called).
const AllocatorSettings& allocatorSettings();

// Minor page faults of this process so far (getrusage): the page faults a timed region paid.
long minorPageFaults();

}  // namespace hockney
