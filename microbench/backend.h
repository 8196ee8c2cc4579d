#pragma once
// The backends a job measures on (--backend): a transport, and the library whose collectives are
// the vendor cases. Each is one registration: backend_mpi.cc, backend_nccl.cc (in a build
// without CUDA/NCCL, backend_nccl_absent.cc, the one stub). Names are checked here, once.
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "collectives/transport/transport.h"

namespace hockney {

struct CaseShape;
struct CaseBuffers;
using VendorRun = void (*)(Transport&, const CaseShape&, const CaseBuffers&);

// One internal algorithm of a vendor collective that the library lets a job force (`--algo
// vendor:NAME`): Open MPI's coll/tuned allreduce "ring", NCCL's "ring/simple". Names and ids come
// from the library at run time where it says them (Open MPI's MPI_T control variables).
struct VendorVariant {
  std::string name;     // the NAME of vendor:NAME
  long id = 0;          // the library's id (Open MPI: the control variable's value)
  std::string control;  // how it is forced, e.g. "coll_tuned_allreduce_algorithm=4"
  // What a tuning file must say to make the library choose it again (a JSON object the tune
  // writers read: Open MPI's collective, algorithm, faninout and segsize; NCCL's algorithm and
  // protocol), recorded in every row the variant measured.
  nlohmann::json rule = nlohmann::json::object();
};

struct VendorVariants {
  std::vector<VendorVariant> variants;  // empty: none (why says so)
  std::string why;                      // why there are none, or why they cannot be forced here
  std::string library;                  // who offers them ("Open MPI 4.1.4 coll/tuned")
};

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

  // Vendor variants (vendor:NAME); null: the backend offers none.
  // Before the library starts, when the job asks for variants: what forcing them needs at start
  // (Open MPI reads coll_tuned_use_dynamic_rules only then). Never overrides the user's setting.
  void (*prepareVariants)() = nullptr;
  // The variants of `call` the library offers (on `ranks` ranks; 0: any), read from it.
  VendorVariants (*variants)(std::string_view call, int ranks) = nullptr;
  // The transport of the same ranks on which `call` runs `variant`, collective over `measured`
  // (the group's transport on this backend; `group` is its host MPI transport). Throws UsageError
  // when the library would not honour the variant (it would silently run its default instead).
  std::unique_ptr<Transport> (*forceVariant)(Transport& group, Transport& measured,
                                             std::string_view call, const VendorVariant& variant,
                                             int localRank, int localRanks) = nullptr;
  // What the library's collective choice depends on besides the call (Open MPI: its dynamic
  // rules file, forced algorithms), for the report's provenance; null when nothing is known.
  nlohmann::json (*tuning)() = nullptr;
};

// The variant name of an --algo value: "ring" for "vendor:ring", "all" for "vendor:all"; nullopt
// for a name that is not vendor:NAME.
std::optional<std::string> variantName(std::string_view algorithm);
inline constexpr std::string_view kVariantPrefix = "vendor:";

// A backend's table of the calls the registry names and the functions that make them.
using VendorCalls = std::span<const std::pair<std::string_view, VendorRun>>;
VendorRun findCall(VendorCalls calls, std::string_view call);  // null when it has none

// mpi, nccl: the order --help lists them.
std::span<const Backend* const> backends();
std::vector<std::string> backendNames();
// Throws UsageError for a name that is no backend (listing them) or one this binary lacks
// (saying why and how to get it).
const Backend& findBackend(std::string_view name);
// Whether this binary can run the backend of that name (false for an unknown name too).
bool backendBuilt(std::string_view name);

// The registrations (one file each).
const Backend& mpiBackend();
const Backend& ncclBackend();

}  // namespace hockney
