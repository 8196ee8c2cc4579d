// The NCCL backend in a build without CUDA/NCCL: the one stub. It says why it cannot run and how
// to get it; findBackend refuses --backend nccl with that before MPI starts.
#include <fmt/format.h>

#include "microbench/backend.h"

#ifndef HOCKNEY_NCCL_ABSENT
#define HOCKNEY_NCCL_ABSENT "it was built without it"
#endif

namespace hockney {
namespace {

std::string absence() {
  return fmt::format(
      "this hockney has no NCCL backend: {}; rebuild with the CUDA toolkit and NCCL installed "
      "(cmake -DHOCKNEY_NCCL=ON)",
      HOCKNEY_NCCL_ABSENT);
}

}  // namespace

const Backend& ncclBackend() {
  static const Backend kBackend{.name = "nccl",
                                .summary =
                                    "device buffers over NCCL, one GPU per rank, vendor = "
                                    "NCCL's collective (not in this build)",
                                .device = true,
                                .timer =
                                    "CUDA events on the stream; stream drained and barrier, "
                                    "then calls_per_sample calls per sample; max over ranks",
                                .absence = absence,
                                .bind = nullptr,
                                .open = nullptr};
  return kBackend;
}

}  // namespace hockney
