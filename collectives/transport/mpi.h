#pragma once
// The MPI transport: a step is Irecv + Isend for every transfer, then one Waitall. Every MPI call
// is checked (the communicator returns errors instead of aborting), and the MPI int-count limit
// is checked here, at the boundary, and nowhere else.
#include <mpi.h>

#include <memory>
#include <string>
#include <vector>

#include "collectives/transport/transport.h"

namespace hockney {

// Throws Error with MPI's own message when rc is not MPI_SUCCESS.
void mpiCheck(int rc, const char* call, const char* file, int line);
#define HOCKNEY_MPI(call) ::hockney::mpiCheck((call), #call, __FILE__, __LINE__)

MPI_Datatype mpiDatatype(DataType type);       // bf16/f16 map to a 16-bit container type
MPI_Op mpiOp(ReduceOp op, DataType type);      // user ops for bf16/f16, which MPI lacks
int mpiCount(size_t count, const char* what);  // checks the int limit
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

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 1;
  FaultInjection fault_;
  std::vector<StepHandle> spare_;  // finished steps, kept for reuse
};

}  // namespace hockney
