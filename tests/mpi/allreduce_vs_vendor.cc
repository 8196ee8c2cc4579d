// Under mpirun: every all-reduce algorithm against MPI_Allreduce on the same inputs, for every
// type and op and awkward counts; bitwise equal (the inputs make every reduction order exact).
// Ranks agree on each verdict (MAX over ranks), rank 0 prints one line per failure and the
// closing "N passed, N failed" line; the exit code is non-zero on any failure.
#include <mpi.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "collectives/allreduce/allreduce.h"
#include "collectives/transport/mpi.h"
#include "microbench/validation.h"

using namespace hockney;

namespace {

// Random 32-bit integers: sums wrap identically in any order, so equality is still exact, and
// the data are not the harness's closed-form pattern.
void fillRandomInt32(void* buf, size_t count, int rank) {
  std::mt19937 gen(static_cast<unsigned>(1234 + rank));
  auto* p = static_cast<int32_t*>(buf);
  for (size_t i = 0; i < count; ++i) p[i] = static_cast<int32_t>(gen() % 2001) - 1000;
}

}  // namespace

int main(int argc, char** argv) {
  MpiSession session(&argc, &argv);
  int passed = 0, failed = 0;
  {
    MpiTransport t(MPI_COMM_WORLD);
    const int p = t.size();
    std::vector<size_t> counts{0,
                               1,
                               static_cast<size_t>(p) - 1,
                               static_cast<size_t>(p),
                               static_cast<size_t>(p) + 1,
                               1009,
                               65536 + 7};
    // Hierarchical algorithms get two "hosts" (even and odd ranks) where p is even, else one
    // rank per host.
    std::vector<int> placement;
    for (int r = 0; r < p; ++r) placement.push_back(p % 2 == 0 ? r % 2 : r);
    for (const Algorithm& algo : allreducePattern().algorithms) {
      for (DataType type : kAllDataTypes) {
        for (ReduceOp op : kAllReduceOps) {
          for (int randomInts = 0; randomInts < 2; ++randomInts) {
            if (randomInts && !(type == DataType::kInt32 && op == ReduceOp::kSum)) continue;
            for (size_t count : counts) {
              const size_t bytes = count * elementSize(type);
              std::vector<std::byte> in(bytes + 1), ours(bytes + 1), theirs(bytes + 1);
              if (randomInts)
                fillRandomInt32(in.data(), count, t.rank());
              else
                fillInput(in.data(), count, type, op, t.rank());
              poison(ours.data(), count, type);
              AllreduceShape shape{count, type, op, 4096};
              CallShape call = allreduceCall(p, shape);
              call.nodeOfRank = &placement;
              std::vector<std::byte> scratch(algo.scratch(call, t.rank()) + 1);
              algo.run(t, call, CallBuffers{in.data(), ours.data(), scratch.data()});
              HOCKNEY_MPI(MPI_Allreduce(in.data(), theirs.data(), mpiCount(count, "test"),
                                        mpiDatatype(type), mpiOp(op, type), MPI_COMM_WORLD));
              int bad = std::memcmp(ours.data(), theirs.data(), bytes) != 0 ? 1 : 0;
              int anyBad = 0;
              HOCKNEY_MPI(MPI_Allreduce(&bad, &anyBad, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD));
              if (anyBad) {
                ++failed;
                if (t.rank() == 0)
                  std::printf("FAIL %s p=%d count=%zu %s %s%s differs from MPI_Allreduce\n",
                              std::string(algo.name).c_str(), p, count,
                              std::string(name(type)).c_str(), std::string(name(op)).c_str(),
                              randomInts ? " (random ints)" : "");
              } else {
                ++passed;
              }
            }
          }
        }
      }
    }
  }
  int rank = session.worldRank();
  if (rank == 0) std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
