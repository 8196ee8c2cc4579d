// Vendor cases of the NCCL backend in a build without it: there are none (useBackend refuses
// --backend nccl before it gets here; see collectives/transport/nccl/absent.cc).
#include "microbench/cases.h"

namespace hockney {

VendorCollective ncclVendorFor(std::string_view) {
  return {};
}

}  // namespace hockney
