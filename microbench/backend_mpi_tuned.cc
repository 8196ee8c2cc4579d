// Open MPI's coll/tuned algorithms as vendor variants of the MPI backend (--algo vendor:NAME).
//
// Everything is read from the library at run time through MPI_T control variables, never from a
// table of ours: coll_tuned_<collective>_algorithm is an enum whose items are the algorithms'
// names and ids (what `ompi_info --param coll tuned --level 9` prints). A variant is forced
// within one job: the control variable is written, the communicator duplicated (coll/tuned copies
// the forced algorithm into the new communicator's module when it is created), and the variable
// restored, so every other communicator keeps the library's own choice.
//
// Open MPI honours forced algorithms only when coll_tuned_use_dynamic_rules was true at start
// (a read-only variable after MPI_Init): prepareVariants sets it in the environment before
// MPI_Init unless the job set it. Where the library would silently run its default instead (the
// variable false, another component outranking coll/tuned for the call, a write it refuses), the
// variant is refused with the reason; a row never carries the name of an algorithm that did not
// run.
#include <mpi.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <typeinfo>
#include <vector>

#include "collectives/core/error.h"
#include "collectives/transport/mpi.h"
#include "microbench/backend.h"
#include "microbench/backend_mpi_tuned.h"

namespace hockney {
namespace {

// The MPI calls of hockney's vendor cases and coll/tuned's names for them: the control
// variable's collective and the fan-out a forced algorithm is run with (the forced path of
// coll_tuned_decision_dynamic.c passes tree_fanout for some collectives, chain_fanout for
// others; a rules file must say the same to reproduce what was measured).
struct TunedCall {
  std::string_view call;
  std::string_view collective;
  std::string_view fanout;  // "" where the algorithms take none
};
constexpr std::array<TunedCall, 6> kTunedCalls{{
    {"MPI_Allreduce", "allreduce", "tree_fanout"},
    {"MPI_Reduce_scatter_block", "reduce_scatter_block", "chain_fanout"},
    {"MPI_Allgather", "allgather", "tree_fanout"},
    {"MPI_Bcast", "bcast", "chain_fanout"},
    {"MPI_Reduce", "reduce", "chain_fanout"},
    {"MPI_Alltoallv", "alltoallv", ""},
}};

const TunedCall* tunedCall(std::string_view call) {
  for (const TunedCall& t : kTunedCalls)
    if (t.call == call) return &t;
  return nullptr;
}

// Other coll components that serve these calls on an intra-communicator when their priority
// exceeds coll/tuned's (Open MPI 4.1 and 5.0): with one of them selected, a forced tuned
// algorithm is never run. `calls` empty: every call above.
struct Competitor {
  std::string_view component;
  std::vector<std::string_view> calls;
};
const std::vector<Competitor>& competitors() {
  static const std::vector<Competitor> kCompetitors{
      {"han", {"MPI_Allreduce", "MPI_Allgather", "MPI_Bcast", "MPI_Reduce"}},
      {"hcoll", {}},
      {"ucc", {}},
      {"sm", {"MPI_Allreduce", "MPI_Bcast", "MPI_Reduce"}},
      {"adapt", {"MPI_Bcast", "MPI_Reduce"}},
      {"xhc", {"MPI_Allreduce", "MPI_Bcast", "MPI_Reduce"}},
      {"acoll", {"MPI_Allreduce", "MPI_Allgather", "MPI_Bcast", "MPI_Reduce"}},
  };
  return kCompetitors;
}

// Bytes of one element of a control variable's type. MPI_Type_size may not be called before
// MPI_Init (hockney list reads variables without starting MPI): the types MPI_T uses, by name.
int elementBytes(MPI_Datatype type) {
  if (type == MPI_INT || type == MPI_UNSIGNED) return static_cast<int>(sizeof(int));
  if (type == MPI_LONG || type == MPI_UNSIGNED_LONG) return static_cast<int>(sizeof(long));
  if (type == MPI_LONG_LONG || type == MPI_UNSIGNED_LONG_LONG || type == MPI_DOUBLE) return 8;
  if (type == MPI_C_BOOL || type == MPI_CHAR) return 1;
  return 0;
}

// MPI_T for the life of the object. Usable before MPI_Init (hockney list) and after it; must
// end before MPI_Finalize (Open MPI 4.1 crashes finalizing MPI_T after MPI).
class MpiToolSession {
 public:
  MpiToolSession() {
    int provided = 0;
    ok_ = MPI_T_init_thread(MPI_THREAD_SINGLE, &provided) == MPI_SUCCESS;
  }
  ~MpiToolSession() {
    if (ok_) MPI_T_finalize();
  }
  MpiToolSession(const MpiToolSession&) = delete;
  MpiToolSession& operator=(const MpiToolSession&) = delete;
  bool ok() const { return ok_; }

  struct Variable {
    int index = -1;
    int scope = 0;
    MPI_Datatype type = MPI_DATATYPE_NULL;
    MPI_T_enum values = MPI_T_ENUM_NULL;
  };
  std::optional<Variable> find(const std::string& name) const {
    if (!ok_) return std::nullopt;
    int index = -1;
    // MPI 3.1's lookup by name (Open MPI 4.1 has it).
    if (MPI_T_cvar_get_index(name.c_str(), &index) != MPI_SUCCESS) return std::nullopt;
    Variable v;
    v.index = index;
    std::array<char, 256> got{};
    int len = static_cast<int>(got.size());
    int verbosity = 0, bind = 0;
    std::array<char, 4096> desc{};
    int descLen = static_cast<int>(desc.size());
    if (MPI_T_cvar_get_info(index, got.data(), &len, &verbosity, &v.type, &v.values, desc.data(),
                            &descLen, &bind, &v.scope) != MPI_SUCCESS)
      return std::nullopt;
    return v;
  }

  // The variable's value as an integer (ints, longs and booleans), or nullopt.
  std::optional<long> readInt(const Variable& v) const {
    std::array<unsigned char, 64> bytes{};
    if (!read(v, bytes.data(), bytes.size())) return std::nullopt;
    const int size = elementBytes(v.type);
    if (v.type == MPI_DOUBLE) return std::nullopt;
    if (size == static_cast<int>(sizeof(int))) {
      int x = 0;
      std::memcpy(&x, bytes.data(), sizeof x);
      return x;
    }
    if (size == static_cast<int>(sizeof(long))) {
      long x = 0;
      std::memcpy(&x, bytes.data(), sizeof x);
      return x;
    }
    if (size == 1) return bytes[0] != 0 ? 1 : 0;
    return std::nullopt;
  }

  std::string readString(const Variable& v) const {
    std::array<char, 4096> text{};
    if (!read(v, text.data(), text.size() - 1)) return {};
    return text.data();
  }

  bool writeInt(const Variable& v, int value) const {
    MPI_T_cvar_handle h;
    int count = 0;
    if (MPI_T_cvar_handle_alloc(v.index, nullptr, &h, &count) != MPI_SUCCESS) return false;
    const bool ok = MPI_T_cvar_write(h, &value) == MPI_SUCCESS;
    MPI_T_cvar_handle_free(&h);
    return ok;
  }

  // (value, name) of every item of the variable's enumeration.
  std::vector<std::pair<long, std::string>> items(const Variable& v) const {
    std::vector<std::pair<long, std::string>> out;
    if (v.values == MPI_T_ENUM_NULL) return out;
    int num = 0;
    std::array<char, 256> enumName{};
    int len = static_cast<int>(enumName.size());
    if (MPI_T_enum_get_info(v.values, &num, enumName.data(), &len) != MPI_SUCCESS) return out;
    for (int i = 0; i < num; ++i) {
      int value = 0;
      std::array<char, 256> item{};
      int itemLen = static_cast<int>(item.size());
      if (MPI_T_enum_get_item(v.values, i, &value, item.data(), &itemLen) == MPI_SUCCESS)
        out.emplace_back(value, item.data());
    }
    return out;
  }

 private:
  bool read(const Variable& v, void* buffer, size_t capacity) const {
    MPI_T_cvar_handle h;
    int count = 0;
    if (MPI_T_cvar_handle_alloc(v.index, nullptr, &h, &count) != MPI_SUCCESS) return false;
    const int size = elementBytes(v.type);
    bool ok = size > 0 && static_cast<size_t>(size) * static_cast<size_t>(count) <= capacity &&
              MPI_T_cvar_read(h, buffer) == MPI_SUCCESS;
    MPI_T_cvar_handle_free(&h);
    return ok;
  }

  bool ok_ = false;
};

std::string controlOf(const TunedCall& t) {
  return fmt::format("coll_tuned_{}_algorithm", t.collective);
}

std::optional<long> intVariable(const MpiToolSession& mpit, const std::string& name) {
  const auto v = mpit.find(name);
  return v ? mpit.readInt(*v) : std::nullopt;
}

constexpr std::string_view kLibrary = "Open MPI coll/tuned";

VendorVariants tunedVariants(std::string_view call, int ranks) {
  VendorVariants out;
  out.library = std::string(kLibrary);
  const TunedCall* t = tunedCall(call);
  if (t == nullptr) {
    out.why = fmt::format("hockney knows no coll/tuned control for {}", call);
    return out;
  }
  const MpiToolSession mpit;
  const std::string control = controlOf(*t);
  const auto v = mpit.find(control);
  if (!v) {
    out.why = fmt::format(
        "this MPI library offers no way to force an algorithm of {}: it has no MPI_T control "
        "variable {} (Open MPI's coll/tuned component; another MPI library, or coll/tuned "
        "excluded)",
        call, control);
    return out;
  }
  if (ranks == 1) {
    out.why = fmt::format(
        "on one rank Open MPI runs {} with coll/self, not coll/tuned: there is no algorithm to "
        "force",
        call);
    return out;
  }
  const std::string fanoutName =
      t->fanout.empty() ? std::string() : fmt::format("{}_{}", control, t->fanout);
  const long fanout = fanoutName.empty() ? 0 : intVariable(mpit, fanoutName).value_or(0);
  const long segsize = intVariable(mpit, control + "_segmentsize").value_or(0);
  for (const auto& [id, name] : mpit.items(*v)) {
    if (id == 0) continue;  // "ignore": the library's own choice, which is plain "vendor"
    VendorVariant variant;
    variant.name = name;
    variant.id = id;
    variant.control = fmt::format("{}={}", control, id);
    variant.rule = {{"library", "ompi"},  {"collective", t->collective}, {"algorithm", id},
                    {"faninout", fanout}, {"segsize", segsize},          {"control", control}};
    out.variants.push_back(std::move(variant));
  }
  if (out.variants.empty())
    out.why = fmt::format("{} lists no algorithms (an enumeration without items)", control);
  return out;
}

// Why coll/tuned would not run a forced algorithm of `call` in this job, or "".
std::string whyIgnored(const MpiToolSession& mpit, const TunedCall& t) {
  const std::optional<long> dynamic = intVariable(mpit, "coll_tuned_use_dynamic_rules");
  if (!dynamic)
    return "this library has no coll_tuned_use_dynamic_rules control variable, without which "
           "forced algorithms are ignored";
  if (*dynamic == 0)
    return "Open MPI ignores forced algorithms unless coll_tuned_use_dynamic_rules is true at "
           "start, and this job set it false (hockney sets it when --algo names vendor "
           "variants, unless OMPI_MCA_coll_tuned_use_dynamic_rules or --mca sets it)";
  if (const auto file = mpit.find("coll_tuned_dynamic_rules_filename")) {
    const std::string rules = mpit.readString(*file);
    if (!rules.empty())
      return fmt::format(
          "the rules file {} is in force (coll_tuned_dynamic_rules_filename), and coll/tuned "
          "takes a rule from it before a forced algorithm; measure variants without it",
          rules);
  }
  const long tuned = intVariable(mpit, "coll_tuned_priority").value_or(30);
  if (tuned < 0) return fmt::format("coll_tuned_priority is {}: coll/tuned is not selected", tuned);
  for (const Competitor& c : competitors()) {
    if (!c.calls.empty() && std::find(c.calls.begin(), c.calls.end(), t.call) == c.calls.end())
      continue;
    const std::optional<long> priority =
        intVariable(mpit, fmt::format("coll_{}_priority", c.component));
    if (!priority || *priority <= tuned) continue;
    const std::optional<long> enabled =
        intVariable(mpit, fmt::format("coll_{}_enable", c.component));
    if (enabled && *enabled == 0) continue;
    return fmt::format(
        "coll/{} (priority {}) outranks coll/tuned (priority {}) for {}, so the forced "
        "algorithm would never run; rerun with --mca coll_{}_priority 0 (or --mca coll ^{})",
        c.component, *priority, tuned, t.call, c.component, c.component);
  }
  return {};
}

void setDynamicRules() {
  // Only when the job did not decide: a user's 0 stays 0, and forceVariant then refuses.
  setenv("OMPI_MCA_coll_tuned_use_dynamic_rules", "1", /*overwrite=*/0);
}

MPI_Comm commOf(Transport& t) {
  HOCKNEY_CHECK(typeid(t) == typeid(MpiTransport),
                "vendor variants need the MPI transport, not "
                "'{}'",
                t.backend());
  return static_cast<MpiTransport&>(t).comm();
}

std::unique_ptr<Transport> forceTuned(Transport& group, Transport&, std::string_view call,
                                      const VendorVariant& variant, int, int) {
  const MPI_Comm comm = commOf(group);
  std::string problem;
  const MpiToolSession mpit;
  const TunedCall* t = tunedCall(call);
  std::optional<MpiToolSession::Variable> v;
  std::optional<long> before;
  if (t == nullptr) {
    problem = fmt::format("hockney knows no coll/tuned control for {}", call);
  } else if (!(v = mpit.find(controlOf(*t)))) {
    problem = fmt::format("this MPI library has no control variable {}", controlOf(*t));
  } else if (std::string why = whyIgnored(mpit, *t); !why.empty()) {
    problem = std::move(why);
  } else if (!(before = mpit.readInt(*v))) {
    problem = fmt::format("{} cannot be read", controlOf(*t));
  } else if (!mpit.writeInt(*v, static_cast<int>(variant.id)) ||
             mpit.readInt(*v) != std::optional<long>(variant.id)) {
    problem = fmt::format("Open MPI refused to set {} (it would run its default instead)",
                          variant.control);
  }
  // Every rank learns whether any failed before the collective duplicate.
  int failed = problem.empty() ? 0 : 1;
  HOCKNEY_MPI(MPI_Allreduce(MPI_IN_PLACE, &failed, 1, MPI_INT, MPI_MAX, comm));
  if (failed != 0) {
    if (v && before) mpit.writeInt(*v, static_cast<int>(*before));
    throw UsageError(fmt::format("{}/vendor:{} cannot be forced: {}", call, variant.name,
                                 problem.empty() ? "another rank could not set it" : problem));
  }
  auto forced = std::make_unique<MpiTransport>(comm);  // duplicates: the module takes the value
  mpit.writeInt(*v, static_cast<int>(*before));
  return forced;
}

nlohmann::json tunedState() {
  const MpiToolSession mpit;
  const std::optional<long> dynamic = intVariable(mpit, "coll_tuned_use_dynamic_rules");
  if (!dynamic) return nullptr;
  nlohmann::json j = {{"library", kLibrary}, {"use_dynamic_rules", *dynamic != 0}};
  if (const auto file = mpit.find("coll_tuned_dynamic_rules_filename")) {
    const std::string name = mpit.readString(*file);
    j["dynamic_rules_filename"] = name.empty() ? nlohmann::json(nullptr) : nlohmann::json(name);
  }
  nlohmann::json forced = nlohmann::json::object();
  for (const TunedCall& t : kTunedCalls)
    if (const std::optional<long> id = intVariable(mpit, controlOf(t)); id && *id != 0)
      forced[controlOf(t)] = *id;
  j["forced"] = forced;
  return j;
}

}  // namespace

void prepareMpiVariants() {
  setDynamicRules();
}

VendorVariants mpiVariants(std::string_view call, int ranks) {
  return tunedVariants(call, ranks);
}

std::unique_ptr<Transport> forceMpiVariant(Transport& group, Transport& measured,
                                           std::string_view call, const VendorVariant& variant,
                                           int localRank, int localRanks) {
  return forceTuned(group, measured, call, variant, localRank, localRanks);
}

nlohmann::json mpiTuningState() {
  return tunedState();
}

}  // namespace hockney
