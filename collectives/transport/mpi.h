#pragma once
// The MPI transport: a step is Irecv + Isend for every transfer, then one Waitall. Every MPI call
// is checked (the communicator returns errors instead of aborting), and the MPI int-count limit
// is checked here, at the boundary, and nowhere else.
#include <mpi.h>

#include <climits>
#include <memory>
#include <string>
#include <vector>

#include "collectives/transport/transport.h"

namespace hockney {

// Throws Error with MPI's own message for a call that did not return MPI_SUCCESS.
[[noreturn]] void mpiFail(int rc, const char* call, const char* file, int line);
// The check is inline: vendor collectives sit on the timed path, where every out-of-line call
// costs a measurable share of a 0.3 us all-reduce (scripts/bench-overhead.sh).
#define HOCKNEY_MPI(call)                                                                         \
  do {                                                                                            \
    const int hockneyMpiRc = (call);                                                              \
    if (hockneyMpiRc != MPI_SUCCESS) ::hockney::mpiFail(hockneyMpiRc, #call, __FILE__, __LINE__); \
  } while (0)

MPI_Op mpiHalfOp(ReduceOp op, DataType type);  // user ops for bf16/f16, which MPI lacks
[[noreturn]] void mpiCountTooLarge(size_t count, const char* what);

// bf16/f16 map to a 16-bit container type.
inline MPI_Datatype mpiDatatype(DataType type) {
  switch (type) {
    case DataType::kFloat32:
      return MPI_FLOAT;
    case DataType::kFloat64:
      return MPI_DOUBLE;
    case DataType::kInt32:
      return MPI_INT32_T;
    case DataType::kInt64:
      return MPI_INT64_T;
    case DataType::kBfloat16:
    case DataType::kFloat16:
      return MPI_UINT16_T;
  }
  return MPI_DATATYPE_NULL;  // unreachable: every DataType is listed
}

inline MPI_Op mpiOp(ReduceOp op, DataType type) {
  if (type == DataType::kBfloat16 || type == DataType::kFloat16) return mpiHalfOp(op, type);
  switch (op) {
    case ReduceOp::kSum:
      return MPI_SUM;
    case ReduceOp::kProd:
      return MPI_PROD;
    case ReduceOp::kMin:
      return MPI_MIN;
    case ReduceOp::kMax:
      return MPI_MAX;
  }
  return MPI_OP_NULL;  // unreachable: every ReduceOp is listed
}

// MPI counts are ints: checked here, at the boundary.
inline int mpiCount(size_t count, const char* what) {
  if (count > static_cast<size_t>(INT_MAX)) mpiCountTooLarge(count, what);
  return static_cast<int>(count);
}
std::string mpiLibraryVersion();

// MPI_Init_thread / MPI_Finalize for the life of the object.
class MpiSession {
 public:
  MpiSession(int* argc, char*** argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
  int worldRank() const;
  int worldSize() const;
  // Kills every rank of the job with `code`; for the watchdog and fatal errors.
  [[noreturn]] static void abortAll(int code);
};

class MpiTransport : public Transport {
 public:
  // Duplicates comm so algorithm traffic never matches anything else's.
  explicit MpiTransport(MPI_Comm comm, FaultInjection fault = {});
  ~MpiTransport() override;
  MpiTransport(const MpiTransport&) = delete;
  MpiTransport& operator=(const MpiTransport&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string_view backend() const override { return "mpi"; }
  StepHandle start(std::span<const Send> sends, std::span<const Recv> recvs) override;
  void wait(StepHandle& step) override;
  void barrier() override;
  MPI_Comm comm() const { return comm_; }

  // The first `members` ranks of comm as a transport of their own; nullptr on the other ranks.
  // Collective over comm (every rank must call it).
  static std::unique_ptr<MpiTransport> firstRanks(MPI_Comm comm, int members);
  // MPI_Comm_split: the ranks of comm with the same color (>= 0) as a transport of their own,
  // ordered by key; nullptr on ranks with color < 0. Collective over comm.
  static std::unique_ptr<MpiTransport> split(MPI_Comm comm, int color, int key,
                                             FaultInjection fault = {});

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 1;
  FaultInjection fault_;
  std::vector<StepHandle> spare_;  // finished steps, kept for reuse
};

}  // namespace hockney
