// The NCCL backend: device buffers over NcclTransport (one GPU per rank), and NCCL's own
// collectives as the vendor cases, on the same device buffers, timed and validated exactly as
// our algorithms on the NCCL transport are. Built only with the backend (else
// backend_nccl_absent.cc).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <optional>
#include <string>
#include <typeinfo>
#include <utility>

#include "collectives/core/error.h"
#include "collectives/transport/nccl/backend.h"
#include "collectives/transport/nccl/cuda_check.h"
#include "collectives/transport/nccl/nccl_transport.h"
#include "microbench/backend.h"
#include "microbench/cases.h"

namespace hockney {
namespace {

// On the timed path: an exact type check, as backend_mpi.cc does.
NcclTransport& ncclOf(Transport& t, const char* what) {
  HOCKNEY_CHECK(typeid(t) == typeid(NcclTransport), "{} needs the NCCL transport, not '{}'", what,
                t.backend());
  return static_cast<NcclTransport&>(t);
}

void allreduce(Transport& t, const CaseShape& s, const CaseBuffers& b) {
  NcclTransport& n = ncclOf(t, "ncclAllReduce");
  HOCKNEY_NCCL_CALL(n.comm(), ncclAllReduce(b.input, b.output, s.count, ncclType(s.type),
                                            ncclOp(s.op), n.comm(), n.stream()));
}

void reduceScatter(Transport& t, const CaseShape& s, const CaseBuffers& b) {
  NcclTransport& n = ncclOf(t, "ncclReduceScatter");
  const size_t block = s.count / static_cast<size_t>(s.ranks);
  HOCKNEY_NCCL_CALL(n.comm(), ncclReduceScatter(b.input, b.output, block, ncclType(s.type),
                                                ncclOp(s.op), n.comm(), n.stream()));
}

void allgather(Transport& t, const CaseShape& s, const CaseBuffers& b) {
  NcclTransport& n = ncclOf(t, "ncclAllGather");
  const size_t block = s.count / static_cast<size_t>(s.ranks);
  HOCKNEY_NCCL_CALL(
      n.comm(), ncclAllGather(b.input, b.output, block, ncclType(s.type), n.comm(), n.stream()));
}

void bcast(Transport& t, const CaseShape& s, const CaseBuffers& b) {
  NcclTransport& n = ncclOf(t, "ncclBroadcast");
  HOCKNEY_NCCL_CALL(n.comm(), ncclBroadcast(b.input, b.output, s.count, ncclType(s.type),
                                            s.opts->root, n.comm(), n.stream()));
}

void reduce(Transport& t, const CaseShape& s, const CaseBuffers& b) {
  NcclTransport& n = ncclOf(t, "ncclReduce");
  HOCKNEY_NCCL_CALL(n.comm(), ncclReduce(b.input, b.output, s.count, ncclType(s.type), ncclOp(s.op),
                                         s.opts->root, n.comm(), n.stream()));
}

// NCCL has no all-to-all(v) call: grouped sends and receives, as nccl-tests' alltoall does.
void alltoallv(Transport& t, const CaseShape&, const CaseBuffers& b) {
  NcclTransport& n = ncclOf(t, "grouped ncclSend/ncclRecv");
  const AlltoallvLayout& layout = alltoallLayoutOf(b.state);
  const auto* in = static_cast<const std::byte*>(b.input);
  auto* out = static_cast<std::byte*>(b.output);
  HOCKNEY_NCCL_CALL(n.comm(), ncclGroupStart());
  for (size_t peer = 0; peer < layout.sendBytes.size(); ++peer) {
    if (layout.sendBytes[peer] > 0)
      HOCKNEY_NCCL_CALL(n.comm(),
                        ncclSend(in + layout.sendOffset[peer], layout.sendBytes[peer], ncclUint8,
                                 static_cast<int>(peer), n.comm(), n.stream()));
    if (layout.recvBytes[peer] > 0)
      HOCKNEY_NCCL_CALL(n.comm(),
                        ncclRecv(out + layout.recvOffset[peer], layout.recvBytes[peer], ncclUint8,
                                 static_cast<int>(peer), n.comm(), n.stream()));
  }
  HOCKNEY_NCCL_CALL(n.comm(), ncclGroupEnd());
}

// The registry's names of the calls (VendorCall::call) and the functions that make them.
constexpr std::array<std::pair<std::string_view, VendorRun>, 6> kCalls{{
    {"ncclAllReduce", allreduce},
    {"ncclReduceScatter", reduceScatter},
    {"ncclAllGather", allgather},
    {"ncclBroadcast", bcast},
    {"ncclReduce", reduce},
    {"ncclSend/ncclRecv", alltoallv},
}};

VendorRun bind(std::string_view call) {
  return findCall(kCalls, call);
}

// NCCL's algorithms and protocols, forced per communicator through NCCL_ALGO and NCCL_PROTO
// (read when a communicator is created: ncclTopoTuneModel in src/graph/tuning.cc). NCCL offers no
// query of them: the names are those of its environment-variable documentation, offered for the
// collectives NCCL runs them for. One this system cannot run (NVLS without NVSwitch, CollNet
// without SHARP) makes NCCL fail the call ("no algorithm/protocol available"), loudly.
struct NcclVariant {
  std::string_view name;   // vendor:NAME, and the tuner plugin's algorithm/protocol
  std::string_view algo;   // NCCL_ALGO
  std::string_view proto;  // NCCL_PROTO
  std::array<std::string_view, 5> calls;
};
constexpr std::string_view kAllCollectives[] = {"ncclAllReduce", "ncclReduceScatter",
                                                "ncclAllGather", "ncclBroadcast", "ncclReduce"};
constexpr std::array<NcclVariant, 11> kNcclVariants{{
    {"ring/ll",
     "Ring",
     "LL",
     {kAllCollectives[0], kAllCollectives[1], kAllCollectives[2], kAllCollectives[3],
      kAllCollectives[4]}},
    {"ring/ll128",
     "Ring",
     "LL128",
     {kAllCollectives[0], kAllCollectives[1], kAllCollectives[2], kAllCollectives[3],
      kAllCollectives[4]}},
    {"ring/simple",
     "Ring",
     "Simple",
     {kAllCollectives[0], kAllCollectives[1], kAllCollectives[2], kAllCollectives[3],
      kAllCollectives[4]}},
    {"tree/ll", "Tree", "LL", {"ncclAllReduce"}},
    {"tree/ll128", "Tree", "LL128", {"ncclAllReduce"}},
    {"tree/simple", "Tree", "Simple", {"ncclAllReduce"}},
    {"nvls/simple", "NVLS", "Simple", {"ncclAllReduce", "ncclReduceScatter", "ncclAllGather"}},
    {"nvls_tree/simple", "NVLSTree", "Simple", {"ncclAllReduce"}},
    {"collnet_direct/simple", "CollnetDirect", "Simple", {"ncclAllReduce"}},
    {"collnet_chain/simple", "CollnetChain", "Simple", {"ncclAllReduce"}},
    {"pat/simple", "PAT", "Simple", {"ncclReduceScatter", "ncclAllGather"}},
}};

VendorVariants ncclVariants(std::string_view call, int ranks) {
  VendorVariants out;
  out.library = "NCCL";
  for (const NcclVariant& v : kNcclVariants) {
    if (std::find(v.calls.begin(), v.calls.end(), call) == v.calls.end()) continue;
    const size_t slash = v.name.find('/');
    VendorVariant x;
    x.name = std::string(v.name);
    x.id = static_cast<long>(&v - kNcclVariants.data());
    x.control = fmt::format("NCCL_ALGO={} NCCL_PROTO={}", v.algo, v.proto);
    x.rule = {{"library", "nccl"},
              {"algorithm", std::string(v.name.substr(0, slash))},
              {"protocol", std::string(v.name.substr(slash + 1))},
              {"control", x.control}};
    out.variants.push_back(std::move(x));
  }
  if (out.variants.empty())
    out.why =
        fmt::format("NCCL has no algorithm choice for {} (grouped point-to-point calls)", call);
  if (ranks == 1) {
    out.variants.clear();
    out.why = fmt::format("on one rank NCCL runs {} without an algorithm to choose", call);
  }
  return out;
}

// An environment variable set for the life of the object, then put back as it was.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::string_view value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, std::string(value).c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

std::unique_ptr<Transport> forceNccl(Transport& group, Transport&, std::string_view call,
                                     const VendorVariant& variant, int localRank, int localRanks) {
  const NcclVariant* v = nullptr;
  for (const NcclVariant& x : kNcclVariants)
    if (x.name == variant.name) v = &x;
  HOCKNEY_USAGE_CHECK(v != nullptr, "{}/vendor:{}: NCCL has no such variant", call, variant.name);
  const ScopedEnv algo("NCCL_ALGO", v->algo);
  const ScopedEnv proto("NCCL_PROTO", v->proto);
  return openNcclTransport(group, localRank, localRanks);  // NCCL reads both here
}

}  // namespace

const Backend& ncclBackend() {
  static const Backend kBackend{.name = "nccl",
                                .summary =
                                    "device buffers over NCCL, one GPU per rank, vendor = "
                                    "NCCL's collective",
                                .device = true,
                                .timer =
                                    "CUDA events on the stream; stream drained and barrier, "
                                    "then calls_per_sample calls per sample; max over ranks",
                                .absence = nullptr,
                                .bind = bind,
                                .open = openNcclTransport,
                                .prepareVariants = nullptr,
                                .variants = ncclVariants,
                                .forceVariant = forceNccl,
                                .tuning = nullptr};
  return kBackend;
}

}  // namespace hockney
