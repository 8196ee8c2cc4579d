#pragma once
// The backends a job measures on (--backend): a transport, and the library whose collectives are
// the vendor cases. Each is one registration: backend_mpi.cc, backend_nccl.cc (in a build
// without CUDA/NCCL, backend_nccl_absent.cc, the one stub). Names are checked here, once.
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "collectives/transport/transport.h"

namespace hockney {

struct CaseShape;
struct CaseBuffers;
using VendorRun = void (*)(Transport&, const CaseShape&, const CaseBuffers&);

struct Backend {
  std::string_view name;  // the --backend value and the rows' "backend"
  std::string_view summary;
  bool device = false;     // device buffers: points sized by the GPU's memory, device provenance
  std::string_view timer;  // how a sample is timed, for the report's config
  // Why this binary cannot run it and how to get it ("" when it can).
  std::string (*absence)() = nullptr;
  // The library's function for a call the registry names (VendorCall::call), or null.
  VendorRun (*bind)(std::string_view call) = nullptr;
  // The transport of `group`'s ranks on this backend, this rank being `localRank` of the
  // `localRanks` ranks of the group on its host; null: measure on `group` itself (host MPI).
  // Collective over `group`; throws UsageError on every rank when one cannot start.
  std::unique_ptr<Transport> (*open)(Transport& group, int localRank, int localRanks) = nullptr;
};

// A backend's table of the calls the registry names and the functions that make them.
using VendorCalls = std::span<const std::pair<std::string_view, VendorRun>>;
VendorRun findCall(VendorCalls calls, std::string_view call);  // null when it has none

// mpi, nccl: the order --help lists them.
std::span<const Backend* const> backends();
std::vector<std::string> backendNames();
// Throws UsageError for a name that is no backend (listing them) or one this binary lacks
// (saying why and how to get it).
const Backend& findBackend(std::string_view name);

// The registrations (one file each).
const Backend& mpiBackend();
const Backend& ncclBackend();

}  // namespace hockney
