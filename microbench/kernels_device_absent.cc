// hockney-kernels without the NCCL backend: no device kernels to measure.
#include "microbench/kernels_device.h"

namespace hockney {

std::string registerDeviceKernels() {
  return "this hockney has no NCCL/CUDA backend";
}

}  // namespace hockney
