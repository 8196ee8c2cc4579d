#pragma once
// hockney-kernels on the GPU: registers device_reduce/<dtype>/<op> and device_copy (bytes per
// second from CUDA events) when this build has the NCCL backend and a CUDA device is present;
// otherwise returns why not, and registers nothing.
#include <string>

namespace hockney {

std::string registerDeviceKernels();

}  // namespace hockney
