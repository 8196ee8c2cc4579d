#pragma once
// Open MPI's coll/tuned algorithms as the MPI backend's vendor variants (backend_mpi_tuned.cc):
// the Backend hooks of microbench/backend.h for the mpi backend.
#include <nlohmann/json.hpp>

#include <memory>
#include <string_view>

#include "microbench/backend.h"

namespace hockney {

void prepareMpiVariants();
VendorVariants mpiVariants(std::string_view call, int ranks);
std::unique_ptr<Transport> forceMpiVariant(Transport& group, Transport& measured,
                                           std::string_view call, const VendorVariant& variant,
                                           int localRank, int localRanks);
nlohmann::json mpiTuningState();

}  // namespace hockney
