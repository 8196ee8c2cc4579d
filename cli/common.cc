// What every subcommand shares: provenance of the command line, who prints, MPI sessions, and
// the rule that no command writes over one of its inputs.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "cli/commands.h"
#include "collectives/core/error.h"
#include "collectives/transport/mpi.h"
#include "microbench/allocator.h"
#include "microbench/backend.h"
#include "microbench/interrupt.h"
#include "microbench/sizes.h"
#include "model/catalog.h"
#include "reports/results.h"
#include "topology/topology.h"

namespace hockney {
namespace {

std::string quoteArg(const std::string& a) {
  if (!a.empty() && a.find_first_of(" \t\n'\"\\$`*?[]{}()<>|&;#~!") == std::string::npos) return a;
  std::string q = "'";
  for (char c : a) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

std::string commandLineOf(int argc, char** argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) line += (i ? " " : "") + quoteArg(argv[i]);
  return line;
}

bool isLeaderProcess() {
  for (const char* var : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"})
    if (const char* v = std::getenv(var)) return std::string(v) == "0";
  return true;
}

int runUnderMpi(int& argc, char**& argv, const std::function<int()>& body,
                const std::string& mallocMode) {
  settleAllocator(parseMallocMode(mallocMode));
  MpiSession session(&argc, &argv);
  exitOnInterrupt();
  // Commands with a checkpoint (run, calibrate) say where it is once it exists.
  setInterruptLine(session.worldRank() == 0
                       ? fmt::format(" (exit {}) before anything was written\n",
                                     static_cast<int>(kExitInterrupted))
                       : std::string());
  try {
    return body();
  } catch (const UsageError& e) {
    // The same on every rank (options, rank count and files are), and said here, before
    // MPI_Finalize: once a rank has finalized and exited 2, mpirun stops the others, and rank 0's
    // message after that was lost (with "interrupted by SIGTERM" in its place).
    setInterruptLine(std::string());
    if (session.worldRank() == 0) {
      std::fprintf(stderr, "hockney: error: %s\n", e.what());
      std::fflush(stderr);
    }
    return kExitUsage;
  } catch (const std::exception& e) {
    // One rank failing must not leave the others waiting for it.
    std::fprintf(stderr, "hockney: internal error on rank %d: %s\n", session.worldRank(), e.what());
    std::fflush(stderr);
    MpiSession::abortAll(kExitInternal);
  }
}

void addBackendOption(CLI::App* sub, std::string& backend) {
  std::string help;
  for (const Backend* b : backends())
    help += fmt::format("{}{}: {}", help.empty() ? "" : "; ", b->name, b->summary);
  sub->add_option("--backend", backend, help)
      ->check(CLI::IsMember(backendNames()))
      ->capture_default_str();
}

void addMallocOption(CLI::App* sub, std::string& mode) {
  sub->add_option("--malloc", mode,
                  "pinned: glibc's malloc thresholds fixed at start (mmap 32 MiB, trim 64 MiB), so "
                  "every point sees the same allocator whatever was measured before it; dynamic: "
                  "glibc's own moving thresholds (a library's per-call scratch may then be mapped "
                  "afresh, and page-faulted, in some points and not in others)")
      ->check(CLI::IsMember({"pinned", "dynamic"}))
      ->capture_default_str();
}

CLI::Validator positive() {
  return CLI::Validator(
      [](const std::string& text) {
        double v = 0;
        try {
          size_t used = 0;
          v = std::stod(text, &used);
          if (used != text.size()) return std::string("must be a number, not " + text);
        } catch (const std::exception&) {
          return std::string("must be a number, not " + text);
        }
        if (!std::isfinite(v)) return std::string("must be a finite number, not " + text);
        return v > 0 ? std::string() : std::string("must be positive, not " + text);
      },
      "> 0");
}

void addVendorScaling(CLI::App* sub, std::string& scaling) {
  sub->add_option("--vendor-scaling", scaling,
                  "how a vendor fit (an imported nccl-tests or OSU log) prices groups of a rank "
                  "count it was not measured at, by bus bandwidth with latency growing as: ring "
                  "(p - 1), tree (log2 p), or auto (tree where the call is latency-bound, ring "
                  "where it is bandwidth-bound)")
      ->check(CLI::IsMember({"ring", "tree", "auto"}))
      ->capture_default_str();
}

void addTrainingOptions(CLI::App* sub, TrainingOptions& o) {
  sub->add_option("--global-batch", o.globalBatch,
                  "sequences per step (default: the model's documented batch)")
      ->check(positive());
  sub->add_option("--micro-batch", o.microBatch, "sequences per micro-batch")
      ->check(positive())
      ->capture_default_str();
  sub->add_option("--seq-len", o.seqLen, "sequence length (default: the model's)")
      ->check(positive());
  sub->add_option("--zero", o.zero, "ZeRO stage 0-3")
      ->check(CLI::Range(0, 3))
      ->capture_default_str();
  sub->add_flag("--sequence-parallel", o.sequenceParallel,
                "TP all-reduces become reduce-scatter + all-gather");
  // --recompute alone means full, as before selective existed.
  sub->add_option_function<std::string>(
         "--recompute",
         [&o](const std::string& text) {
           try {
             o.recompute = parseRecompute(text.empty() ? "full" : text);
           } catch (const UsageError& e) {
             throw CLI::ValidationError("--recompute", e.what());
           }
         },
         "activation recomputation: none, selective (the attention core, Korthikanti et al. 2022) "
         "or full (each layer's forward again, its collectives too); default none; --recompute "
         "alone is full")
      ->expected(0, 1);
  sub->add_option("--interleave", o.interleave,
                  "model chunks per pipeline stage (interleaved 1F1B): v times the pipeline "
                  "messages, a bubble v times smaller")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  sub->add_option_function<std::string>(
         "--bucket,--bucket-bytes",
         [&o](const std::string& text) {
           try {
             o.bucketBytes = static_cast<double>(parseSize(text));
           } catch (const UsageError& e) {
             throw CLI::ValidationError("--bucket", e.what());
           }
         },
         "gradient bucket: data-parallel (DP, EDP) items are reduced as calls of this size, the "
         "last one the remainder (PyTorch DDP's default bucket_cap_mb = 25 MiB); 0 = one call "
         "of the whole item")
      ->default_str("25M");
}

void addStepOptions(CLI::App* sub, StepArgs& a, bool required) {
  sub->add_option("--model", a.model,
                  "catalog name or alias (hockney models), or a model JSON file")
      ->required();
  CLI::Option* cal = sub->add_option(
      "--calibration", a.calibrations,
      "calibration.json from hockney fit, or ref:NAME (a reference fabric: hockney fabrics); "
      "repeat for more levels of one fabric");
  CLI::Option* layout =
      sub->add_option("--layout", a.layout, "tp=N,pp=N,dp=N[,ep=N]; tp·pp·dp GPUs");
  if (required) {
    cal->required();
    layout->required();
  }
  sub->add_option("--order", a.order, "placement, innermost first")->capture_default_str();
  sub->add_option("--gpus-per-node", a.training.gpusPerNode, "GPUs per node (intra-node groups)")
      ->check(positive())
      ->capture_default_str();
  addTrainingOptions(sub, a.training);
  sub->add_option("--dtype", a.dtype, "activation/parameter type")->capture_default_str();
  sub->add_option("--grad-dtype", a.gradDtype, "gradient type as reduced and kept")
      ->capture_default_str();
  sub->add_option("--capacity-factor", a.training.capacityFactor, "MoE expert capacity factor")
      ->check(positive())
      ->capture_default_str();
  sub->add_option("--algo-policy", a.policy, "best | ring | vendor")->capture_default_str();
  addVendorScaling(sub, a.vendorScaling);
}

StepArgs::Resolved StepArgs::resolve() const {
  Resolved r{loadModel(model), layout.empty() ? Layout{} : parseLayout(layout), training, {}};
  r.layout.order = parseOrder(order);
  r.training.dtype = parseDataType(dtype);
  r.training.gradDtype = parseDataType(gradDtype);
  if (!calibrations.empty()) r.calibration = loadCalibrations(calibrations);
  r.calibration.vendorScaling = *parseVendorScaling(vendorScaling);
  return r;
}

void finishStepReport(const std::vector<std::string>& notes,
                      const std::vector<std::string>& assumptions, const std::string& out,
                      const nlohmann::json& report) {
  for (const auto& n : notes) fmt::print("# note: {}\n", n);
  for (const auto& a : assumptions) fmt::print("# assumes: {}\n", a);
  if (out.empty()) return;
  writeFileAtomically(out, reportText(report));
  fmt::print("# written to {}\n", out);
}

void checkEachInputOnce(const std::vector<std::string>& inputs) {
  for (size_t i = 0; i < inputs.size(); ++i)
    for (size_t j = 0; j < i; ++j) {
      std::error_code ec;
      HOCKNEY_USAGE_CHECK(!std::filesystem::equivalent(inputs[i], inputs[j], ec),
                          "{} is given twice (as {} and {}): each report counts once", inputs[i],
                          inputs[j], inputs[i]);
    }
}

void checkOutIsNotAnInput(const std::string& out, const std::vector<std::string>& inputs) {
  if (out.empty()) return;
  namespace fs = std::filesystem;
  HOCKNEY_USAGE_CHECK(!fs::is_directory(out), "--out {} is a directory; name a file", out);
  std::error_code ec;
  for (const std::string& in : inputs) {
    const bool same = fs::exists(out, ec) && fs::exists(in, ec)
                          ? fs::equivalent(out, in, ec)
                          : fs::weakly_canonical(out, ec) == fs::weakly_canonical(in, ec);
    HOCKNEY_USAGE_CHECK(!same, "--out {} is one of the inputs; writing it would destroy {}", out,
                        in);
  }
}

void checkLevelOverride(const std::string& level) {
  HOCKNEY_USAGE_CHECK(level.empty() || parseLinkLevel(level).has_value(),
                      "--level must be one of {}, not '{}'", linkLevelNames(), level);
}

}  // namespace hockney
