// The NCCL backend's door in a build without CUDA/NCCL: it says why it cannot open.
#include "collectives/core/error.h"
#include "collectives/transport/nccl/backend.h"

#ifndef HOCKNEY_NCCL_ABSENT
#define HOCKNEY_NCCL_ABSENT "it was built without it"
#endif

namespace hockney {

bool ncclBackendBuilt() {
  return false;
}

std::string ncclBackendAbsence() {
  return HOCKNEY_NCCL_ABSENT;
}

std::unique_ptr<Transport> openNcclTransport(Transport&, int, int) {
  throw UsageError(fmt::format(
      "--backend nccl: this hockney has no NCCL backend: {}; rebuild with the CUDA toolkit and "
      "NCCL installed (cmake -DHOCKNEY_NCCL=ON)",
      ncclBackendAbsence()));
}

}  // namespace hockney
