// Under mpirun: which algorithm Open MPI's MPI_Allreduce ran, seen in its result rather than its
// time. Float sums depend on the order a reduction adds its terms, and the algorithms add them in
// different orders: each rank holds +1e8, -1e8 or 1 per element (shifted by rank), so an element
// ends as 0, 1, 2 or 3 depending on where the large terms meet. The output's hash is the
// algorithm's fingerprint on this many ranks.
//
//   tuned_probe variants BYTES   rank 0 prints one line per case, "NAME HASH": vendor (the
//                                library's choice on a fresh communicator) and every vendor:NAME
//                                variant forced the way `hockney run` forces it
//   tuned_probe default BYTES    rank 0 prints "vendor HASH" only: what the library chooses
//                                in this job (with a rules file in force, what the file says)
// Exit 0, or 2 with the reason (a variant the library will not force).
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "collectives/core/error.h"
#include "collectives/transport/mpi.h"
#include "microbench/backend.h"

using namespace hockney;

namespace {

uint64_t fingerprint(MPI_Comm comm, size_t count) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  std::vector<float> in(count), out(count);
  for (size_t i = 0; i < count; ++i) {
    const size_t k = (i + static_cast<size_t>(rank)) % 4;
    in[i] = k == 0 ? 1e8f : k == 2 ? -1e8f : 1.0f;
  }
  HOCKNEY_MPI(
      MPI_Allreduce(in.data(), out.data(), static_cast<int>(count), MPI_FLOAT, MPI_SUM, comm));
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (float x : out) {
    unsigned char b[sizeof x];
    std::memcpy(b, &x, sizeof x);
    for (unsigned char c : b) h = (h ^ c) * 1099511628211ull;
  }
  return h;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: tuned_probe variants|default BYTES\n");
    return 2;
  }
  const std::string mode = argv[1];
  const size_t count = std::stoul(argv[2]) / sizeof(float);
  const Backend& mpi = findBackend("mpi");
  if (mode == "variants") mpi.prepareVariants();
  MpiSession session(&argc, &argv);
  int code = 0;
  try {
    MpiTransport world(MPI_COMM_WORLD);
    const uint64_t library = fingerprint(world.comm(), count);
    if (world.rank() == 0)
      std::printf("vendor %016llx\n", static_cast<unsigned long long>(library));
    if (mode == "variants") {
      for (const VendorVariant& v : mpi.variants("MPI_Allreduce", world.size()).variants) {
        std::unique_ptr<Transport> forced =
            mpi.forceVariant(world, world, "MPI_Allreduce", v, 0, 1);
        const uint64_t h = fingerprint(static_cast<MpiTransport&>(*forced).comm(), count);
        if (world.rank() == 0)
          std::printf("vendor:%s %016llx\n", v.name.c_str(), static_cast<unsigned long long>(h));
      }
    }
  } catch (const UsageError& e) {
    std::fprintf(stderr, "tuned_probe: %s\n", e.what());
    code = 2;
  }
  return code;
}
