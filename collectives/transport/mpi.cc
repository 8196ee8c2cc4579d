#include "collectives/transport/mpi.h"

#include <climits>
#include <cstdlib>
#include <vector>

#include "collectives/core/error.h"
#include "collectives/core/reduce.h"

namespace hockney {
namespace {

constexpr int kTag = 7411;

// Small steps (the common case: a few peers) keep their requests inline, so a step costs one
// allocation (the handle) however small the message: it shows at 8-byte sizes.
constexpr size_t kInline = 8;

struct MpiStep : PendingStep {
  size_t count = 0;
  size_t recvCount = 0;
  MPI_Request inlineRequests[kInline];
  MPI_Status inlineStatuses[kInline];
  Recv inlineRecvs[kInline];
  std::vector<MPI_Request> moreRequests;  // used instead when a step has more transfers
  std::vector<MPI_Status> moreStatuses;
  std::vector<Recv> moreRecvs;

  void reset(size_t transfers, size_t recvs) {
    count = 0;
    recvCount = recvs;
    const bool big = transfers > kInline;
    moreRequests.resize(big ? transfers : 0);
    moreStatuses.resize(big ? transfers : 0);
    moreRecvs.resize(big ? recvs : 0);
  }
  MPI_Request* requests() { return moreRequests.empty() ? inlineRequests : moreRequests.data(); }
  MPI_Status* statuses() { return moreStatuses.empty() ? inlineStatuses : moreStatuses.data(); }
  Recv* recvs() {
    return moreRecvs.empty() && recvCount <= kInline ? inlineRecvs : moreRecvs.data();
  }
};

// MPI has no bfloat16 or half; MPI_Allreduce on them needs user-defined ops over a 16-bit type.
struct HalfOps {
  MPI_Op ops[2][4];
};

template <DataType T, ReduceOp O>
void userOp(void* in, void* inout, int* len, MPI_Datatype*) {
  hostReduce(inout, in, static_cast<size_t>(*len), T, O);
}

template <DataType T>
void createOps(MPI_Op* ops) {
  HOCKNEY_MPI(MPI_Op_create(&userOp<T, ReduceOp::kSum>, 1, &ops[0]));
  HOCKNEY_MPI(MPI_Op_create(&userOp<T, ReduceOp::kProd>, 1, &ops[1]));
  HOCKNEY_MPI(MPI_Op_create(&userOp<T, ReduceOp::kMin>, 1, &ops[2]));
  HOCKNEY_MPI(MPI_Op_create(&userOp<T, ReduceOp::kMax>, 1, &ops[3]));
}

}  // namespace

void mpiFail(int rc, const char* call, const char* file, int line) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(rc, text, &length);
  throw Error(file, line, fmt::format("{} failed: {}", call, std::string(text, length)));
}

MPI_Op mpiHalfOp(ReduceOp op, DataType type) {
  // Created once per process, on first use, after MPI_Init; MPI frees them at finalize.
  static HalfOps ops = [] {
    HalfOps h{};
    createOps<DataType::kBfloat16>(h.ops[0]);
    createOps<DataType::kFloat16>(h.ops[1]);
    return h;
  }();
  HOCKNEY_CHECK(type == DataType::kBfloat16 || type == DataType::kFloat16,
                "no user-defined op for {}", name(type));
  return ops.ops[type == DataType::kBfloat16 ? 0 : 1][static_cast<int>(op)];
}

void mpiCountTooLarge(size_t count, const char* what) {
  HOCKNEY_THROW("{}: {} elements exceed MPI's int count limit ({})", what, count, INT_MAX);
}

std::string mpiLibraryVersion() {
  char text[MPI_MAX_LIBRARY_VERSION_STRING];
  int length = 0;
  HOCKNEY_MPI(MPI_Get_library_version(text, &length));
  std::string s(text, static_cast<size_t>(length));
  while (!s.empty() && (s.back() == '\n' || s.back() == '\0' || s.back() == ' ')) s.pop_back();
  return s;
}

MpiSession::MpiSession(int* argc, char*** argv) {
  int provided = 0;
  // The watchdog thread makes no MPI calls except MPI_Abort, so FUNNELED is enough.
  HOCKNEY_MPI(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided));
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

MpiSession::~MpiSession() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

int MpiSession::worldRank() const {
  int r = 0;
  HOCKNEY_MPI(MPI_Comm_rank(MPI_COMM_WORLD, &r));
  return r;
}

int MpiSession::worldSize() const {
  int n = 0;
  HOCKNEY_MPI(MPI_Comm_size(MPI_COMM_WORLD, &n));
  return n;
}

void MpiSession::abortAll(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);  // MPI_Abort should not return; make sure
}

MpiTransport::MpiTransport(MPI_Comm comm, FaultInjection fault) : fault_(fault) {
  HOCKNEY_MPI(MPI_Comm_dup(comm, &comm_));
  HOCKNEY_MPI(MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN));
  HOCKNEY_MPI(MPI_Comm_rank(comm_, &rank_));
  HOCKNEY_MPI(MPI_Comm_size(comm_, &size_));
}

MpiTransport::~MpiTransport() {
  if (comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);  // never throws
}

StepHandle MpiTransport::start(std::span<const Send> sends, std::span<const Recv> recvs) {
  progress_.record(sends, recvs);
  bool drop = progress_.armed.load(std::memory_order_relaxed) &&
              fault_.dropsSend(rank_, progress_.step.load(std::memory_order_relaxed));
  std::unique_ptr<MpiStep> step;
  if (spare_.empty()) {
    step = std::make_unique<MpiStep>();
  } else {
    step.reset(static_cast<MpiStep*>(spare_.back().release()));
    spare_.pop_back();
  }
  step->reset(sends.size() + recvs.size(), recvs.size());
  MPI_Request* requests = step->requests();
  // Receives first, so a matching send finds its buffer posted.
  for (const Recv& r : recvs) {
    HOCKNEY_MPI(MPI_Irecv(r.data, mpiCount(r.bytes, "receive"), MPI_BYTE, r.peer, kTag + r.tag,
                          comm_, &requests[step->count]));
    step->recvs()[step->count] = r;
    ++step->count;
  }
  if (!drop) {
    for (const Send& s : sends) {
      HOCKNEY_MPI(MPI_Isend(s.data, mpiCount(s.bytes, "send"), MPI_BYTE, s.peer, kTag + s.tag,
                            comm_, &requests[step->count]));
      ++step->count;
    }
  }
  return step;
}

void MpiTransport::wait(StepHandle& handle) {
  HOCKNEY_CHECK(handle != nullptr, "wait on a step that was not started");
  auto& step = static_cast<MpiStep&>(*handle);
  int rc = MPI_Waitall(static_cast<int>(step.count), step.requests(), step.statuses());
  HOCKNEY_MPI(rc);
  for (size_t i = 0; i < step.recvCount; ++i) {
    int got = 0;
    HOCKNEY_MPI(MPI_Get_count(&step.statuses()[i], MPI_BYTE, &got));
    const Recv& r = step.recvs()[i];
    HOCKNEY_CHECK_EQ(static_cast<size_t>(got), r.bytes, "bytes received from rank {} in {}", r.peer,
                     progress_.describe());
  }
  spare_.push_back(std::move(handle));  // reused by the next start(): no allocation per step
}

void MpiTransport::barrier() {
  HOCKNEY_MPI(MPI_Barrier(comm_));
}

std::unique_ptr<MpiTransport> MpiTransport::firstRanks(MPI_Comm comm, int members) {
  int rank = 0;
  HOCKNEY_MPI(MPI_Comm_rank(comm, &rank));
  return split(comm, rank < members ? 0 : -1, rank);
}

std::unique_ptr<MpiTransport> MpiTransport::split(MPI_Comm comm, int color, int key,
                                                  FaultInjection fault) {
  MPI_Comm sub = MPI_COMM_NULL;
  HOCKNEY_MPI(MPI_Comm_split(comm, color >= 0 ? color : MPI_UNDEFINED, key, &sub));
  if (sub == MPI_COMM_NULL) return nullptr;
  auto transport = std::make_unique<MpiTransport>(sub, fault);  // duplicates it
  MPI_Comm_free(&sub);
  return transport;
}

}  // namespace hockney
