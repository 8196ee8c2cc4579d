# Every dependency comes from Debian packages (scripts/install-deps.sh installs them).
set(MPI_CXX_SKIP_MPICXX ON)
find_package(MPI REQUIRED COMPONENTS C)
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(HWLOC REQUIRED IMPORTED_TARGET hwloc)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(fmt REQUIRED)
find_package(Eigen3 3.3 REQUIRED NO_MODULE)
if(HOCKNEY_TESTS)
  find_package(GTest REQUIRED)
endif()
if(HOCKNEY_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()

# NCCL/CUDA (collectives/transport/nccl/): AUTO builds the backend when the CUDA toolkit and NCCL
# are found, ON requires them, OFF never builds it. The binary runs without a GPU either way.
# Only libcudart and libnccl are linked: the driver's stub (CUDA::cuda_driver) would stop the
# binary from starting on a machine without the driver.
set(HOCKNEY_HAVE_NCCL OFF)
set(HOCKNEY_NCCL_ABSENT "it was configured with HOCKNEY_NCCL=OFF")
if(NOT HOCKNEY_NCCL STREQUAL "OFF")
  find_package(CUDAToolkit QUIET)
  find_path(NCCL_INCLUDE_DIR nccl.h HINTS ${CUDAToolkit_INCLUDE_DIRS})
  find_library(NCCL_LIBRARY nccl HINTS ${CUDAToolkit_LIBRARY_DIR})
  include(CheckLanguage)
  check_language(CUDA)
  if(CUDAToolkit_FOUND AND NCCL_INCLUDE_DIR AND NCCL_LIBRARY AND CMAKE_CUDA_COMPILER)
    set(HOCKNEY_HAVE_NCCL ON)
    set(HOCKNEY_NCCL_ABSENT "")
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      # A100, H100/H200, B200 (CUDA 13 has nothing below sm_75).
      set(CMAKE_CUDA_ARCHITECTURES 80 90 100)
    endif()
    set(CMAKE_CUDA_HOST_COMPILER ${CMAKE_CXX_COMPILER} CACHE FILEPATH "nvcc's host compiler")
    enable_language(CUDA)
    message(STATUS "hockney: NCCL backend on: CUDA ${CUDAToolkit_VERSION}, ${NCCL_LIBRARY}, "
                   "architectures ${CMAKE_CUDA_ARCHITECTURES}")
  elseif(HOCKNEY_NCCL STREQUAL "ON")
    message(FATAL_ERROR "HOCKNEY_NCCL=ON but the CUDA toolkit, nvcc or NCCL was not found "
                        "(CUDAToolkit_FOUND=${CUDAToolkit_FOUND}, nccl.h: ${NCCL_INCLUDE_DIR}, "
                        "libnccl: ${NCCL_LIBRARY}, nvcc: ${CMAKE_CUDA_COMPILER})")
  else()
    set(HOCKNEY_NCCL_ABSENT "the CUDA toolkit, nvcc or NCCL was not found when it was configured")
    message(STATUS "hockney: NCCL backend off: ${HOCKNEY_NCCL_ABSENT}")
  endif()
endif()
