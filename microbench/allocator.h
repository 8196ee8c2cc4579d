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
// Pinned (the default), every hockney process tells glibc at start to serve every block from its
// heap (M_MMAP_MAX 0: nothing is mapped per allocation) and never to give the heap back
// (M_TRIM_THRESHOLD off). A block a library frees is then reused, resident, by its next call,
// whatever was measured before and at every size: after a point's warm-up no call faults. A
// first version kept mmap for blocks over 32 MiB, where glibc always maps them, and was not
// deterministic there: glibc serves a large request from a free heap chunk when one is big
// enough, so the 32 MiB MPI_Allreduce paid 4098 faults per call in some runs of the same sweep
// and none in others (BENCHMARKS.md). Rows count minor_faults_per_call either way; outside
// hockney the same state is
// GLIBC_TUNABLES=glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=18446744073709551615.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace hockney {

enum class MallocMode {
  kPinned,   // thresholds fixed at glibc's dynamic ceiling (the default)
  kDynamic,  // glibc's own moving thresholds: figures depend on what the process did before
};

// "pinned" / "dynamic"; throws UsageError for anything else.
MallocMode parseMallocMode(const std::string& text);

// The pinned state: no block is mapped, the heap is never trimmed.
inline constexpr int kPinnedMmapMax = 0;
inline constexpr size_t kPinnedTrimThreshold = SIZE_MAX;

// What the process's allocator was told, for the report's provenance.
struct AllocatorSettings {
  std::string library;  // "glibc 2.36", or "not glibc"
  std::string mode;     // "pinned", "dynamic", "environment" (GLIBC_TUNABLES named a threshold)
  bool pinned = false;  // mmap max and trim threshold below were set
  int mmapMax = 0;
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
