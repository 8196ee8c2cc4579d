#pragma once
// Every CUDA and NCCL call of the backend is checked; a failure throws Error with the call, the
// library's own error string and, for NCCL, its last error message.
#include <cuda_runtime_api.h>
#include <nccl.h>

namespace hockney {

[[noreturn]] void cudaFail(cudaError_t rc, const char* call, const char* file, int line);
[[noreturn]] void ncclFail(ncclResult_t rc, ncclComm_t comm, const char* call, const char* file,
                           int line);

}  // namespace hockney

#define HOCKNEY_CUDA(call)                                           \
  do {                                                               \
    const cudaError_t hockneyCudaRc = (call);                        \
    if (hockneyCudaRc != cudaSuccess)                                \
      ::hockney::cudaFail(hockneyCudaRc, #call, __FILE__, __LINE__); \
  } while (0)

// comm: the communicator whose last error NCCL describes (may be null).
#define HOCKNEY_NCCL_CALL(comm, call)                                        \
  do {                                                                       \
    const ncclResult_t hockneyNcclRc = (call);                               \
    if (hockneyNcclRc != ncclSuccess)                                        \
      ::hockney::ncclFail(hockneyNcclRc, (comm), #call, __FILE__, __LINE__); \
  } while (0)
