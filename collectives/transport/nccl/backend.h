#pragma once
// The NCCL backend's door: the one call that opens it (built only with CUDA and NCCL; the
// harness registers it in microbench/backend_nccl.cc). Nothing here needs CUDA's or NCCL's
// headers; nccl_transport.h has the transport itself.
#include <memory>
#include <string>

#include "collectives/transport/transport.h"

namespace hockney {

// Opens the NCCL transport on the ranks of `control` (a host transport: MPI), one GPU per rank:
// rank `localRank` of the `localRanks` ranks on its host takes CUDA device `localRank`. The
// communicator is bootstrapped over `control` (the unique id from rank 0), and the harness's
// control traffic keeps going over it. Collective over `control`: when any rank cannot start
// (no CUDA device or driver, fewer devices than ranks on a host, NCCL failing to start), every
// rank throws UsageError naming that rank, its host and what is missing.
std::unique_ptr<Transport> openNcclTransport(Transport& control, int localRank, int localRanks);

}  // namespace hockney
