#include "jobscripts/jobscript.h"

#include <fmt/format.h>

#include <algorithm>
#include <regex>
#include <set>

#include "collectives/core/error.h"
#include "collectives/registry.h"
#include "model/catalog.h"
#include "model/iteration.h"

namespace hockney {
namespace {

bool isIdentifier(std::string_view s) {
  static const std::regex id("[A-Za-z_][A-Za-z0-9_]*");
  return std::regex_match(s.begin(), s.end(), id);
}

// What sbatch reads literally on an #SBATCH line: no blanks, quotes, shell syntax or newlines
// (a newline would end the comment and make the rest a command of the script).
void checkSbatchValue(const char* option, const std::string& value) {
  static const std::regex safe("[A-Za-z0-9._:/@%+,=-]+");
  HOCKNEY_USAGE_CHECK(std::regex_match(value, safe),
                      "{} {}: #SBATCH lines take letters, digits and ._:/@%+,=- only (sbatch, "
                      "not bash, reads them: a blank, quote or newline would change the job)",
                      option, shellQuote(value));
}

// A comment line: control characters (a newline would end the comment) become '?'.
std::string commentText(std::string s) {
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return s;
}

std::string quoteAll(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += " " + shellQuote(w);
  return out;
}

// What the measurement writes and how a finished one is recognised.
struct Output {
  std::string argument;  // the --out value, relative to the step's folder
  std::string done;      // the file that exists once the step finished
  std::string checkpoint;
};

Output outputOf(const std::string& subcommand) {
  if (subcommand == "calibrate") return {"", "calibration.json", "results.json.jsonl"};
  if (subcommand == kPairMatrix) return {"pairs.json", "pairs.json", "pairs.json.jsonl"};
  return {"results.json", "results.json", "results.json.jsonl"};
}

bool hasBackendNccl(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i)
    if (args[i] == "--backend=nccl" ||
        (args[i] == "--backend" && i + 1 < args.size() && args[i + 1] == "nccl"))
      return true;
  return false;
}

}  // namespace

std::string shellQuote(std::string_view word) {
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

Variant parseVariant(std::string_view text) {
  const size_t colon = text.find(':');
  Variant v;
  v.name = std::string(text.substr(0, colon));
  static const std::regex nameRe("[A-Za-z0-9_.-]+");
  HOCKNEY_USAGE_CHECK(!v.name.empty(),
                      "--variant {}: a variant needs a name before ':' (NAME:ENV=VAL,...)",
                      shellQuote(text));
  HOCKNEY_USAGE_CHECK(std::regex_match(v.name, nameRe),
                      "--variant {}: the name '{}' names a folder: letters, digits and ._- only",
                      shellQuote(text), commentText(v.name));
  if (colon == std::string_view::npos) return v;  // a baseline: no environment of its own
  std::string_view rest = text.substr(colon + 1);
  size_t start = 0;
  while (start <= rest.size() && !rest.empty()) {
    size_t comma = rest.find(',', start);
    std::string_view piece =
        rest.substr(start, comma == std::string_view::npos ? rest.npos : comma - start);
    const size_t eq = piece.find('=');
    if (eq != std::string_view::npos && isIdentifier(piece.substr(0, eq))) {
      v.env.emplace_back(std::string(piece.substr(0, eq)), std::string(piece.substr(eq + 1)));
    } else {
      HOCKNEY_USAGE_CHECK(!v.env.empty(),
                          "--variant {}: '{}' is not ENV=VALUE (an environment variable name, "
                          "then '=')",
                          shellQuote(text), commentText(std::string(piece)));
      v.env.back().second += "," + std::string(piece);  // tcp,self: a comma inside the value
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return v;
}

void validateJobscript(const JobscriptOptions& o) {
  HOCKNEY_USAGE_CHECK(!o.nodes.empty(), "--nodes: at least one node count");
  for (int n : o.nodes)
    HOCKNEY_USAGE_CHECK(n >= 1 && n <= 100000, "--nodes {}: a node count is 1..100000", n);
  HOCKNEY_USAGE_CHECK(o.ntasksPerNode >= 1 && o.ntasksPerNode <= 1024,
                      "--ntasks-per-node {}: 1..1024", o.ntasksPerNode);
  HOCKNEY_USAGE_CHECK(o.gpusPerNode >= 0 && o.gpusPerNode <= kMaxGpusPerNode,
                      "--gpus-per-node {}: no node has more than {} GPUs", o.gpusPerNode,
                      kMaxGpusPerNode);
  HOCKNEY_USAGE_CHECK(o.cpusPerTask >= 0 && o.cpusPerTask <= 1024, "--cpus-per-task {}: 0..1024",
                      o.cpusPerTask);
  HOCKNEY_USAGE_CHECK(o.launcher == "srun" || o.launcher == "mpirun",
                      "--launcher must be srun or mpirun, not {}", shellQuote(o.launcher));
  HOCKNEY_USAGE_CHECK(!o.hockney.empty(), "--hockney: the path of hockney on the compute nodes");
  checkSbatchValue("--job-name", o.jobName);
  checkSbatchValue("--output-dir", o.outputDir);
  if (!o.partition.empty()) checkSbatchValue("--partition", o.partition);
  if (!o.account.empty()) checkSbatchValue("--account", o.account);
  static const std::regex timeRe("([0-9]+-)?[0-9]+(:[0-9]+){0,2}");
  HOCKNEY_USAGE_CHECK(std::regex_match(o.time, timeRe),
                      "--time {}: SLURM's forms are MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS",
                      shellQuote(o.time));

  HOCKNEY_USAGE_CHECK(!o.command.empty(),
                      "no measurement: give the hockney subcommand and its arguments after --, "
                      "e.g. -- run --pattern allreduce -b 8 -e 64M");
  const std::string& sub = o.command.front();
  HOCKNEY_USAGE_CHECK(sub == "run" || sub == kPairMatrix || sub == "calibrate" || sub == "tune",
                      "the measurement must be run, pairs, calibrate or tune, not {}",
                      shellQuote(sub));
  if (sub == "tune")
    for (const std::string& a : o.command)
      HOCKNEY_USAGE_CHECK(a != "--algo" && a != "-a" && a.rfind("--algo=", 0) != 0,
                          "{}: tune measures the library's own choice and every variant it "
                          "offers (--algo vendor:all)",
                          shellQuote(a));
  for (const std::string& a : o.command)
    HOCKNEY_USAGE_CHECK(a != "--out" && a.rfind("--out=", 0) != 0 && a != "--resume",
                        "{}: the jobscript chooses --out (one folder per variant and node count "
                        "under --output-dir) and adds --resume when a checkpoint exists",
                        shellQuote(a));
  if (hasBackendNccl(o.command))
    HOCKNEY_USAGE_CHECK(o.gpusPerNode >= o.ntasksPerNode,
                        "--backend nccl runs one rank per GPU: --ntasks-per-node {} needs "
                        "--gpus-per-node {} or more, not {}",
                        o.ntasksPerNode, o.ntasksPerNode, o.gpusPerNode);
  std::set<std::string> names;
  for (const Variant& v : o.variants) {
    HOCKNEY_USAGE_CHECK(!v.name.empty(), "a variant needs a name (NAME:ENV=VAL,...)");
    HOCKNEY_USAGE_CHECK(names.insert(v.name).second, "--variant {} is given twice", v.name);
    for (const auto& [key, value] : v.env)
      HOCKNEY_USAGE_CHECK(isIdentifier(key), "--variant {}: '{}' is not a variable name", v.name,
                          commentText(key));
  }
  HOCKNEY_USAGE_CHECK(o.model.empty() == o.layout.empty(),
                      "--model and --layout go together (the step to project under each variant)");
  if (!o.model.empty()) {
    HOCKNEY_USAGE_CHECK(sub != kPairMatrix, "--model: a pair matrix has no fit to project with");
    loadModel(o.model);     // an unknown model fails now, not at the end of the job
    parseLayout(o.layout);  // and so does a malformed layout
  }
}

std::string generateJobscript(const JobscriptOptions& o, const std::string& generatedBy) {
  validateJobscript(o);
  const std::string& sub = o.command.front();
  std::vector<std::string> args(o.command.begin() + 1, o.command.end());
  if (sub == kPairMatrix) args.insert(args.begin(), {"--pattern", std::string(kPairMatrix)});
  if (sub == "tune") args.insert(args.begin(), {"--algo", "vendor:all"});
  const std::string hockneySub = sub == kPairMatrix || sub == "tune" ? "run" : sub;
  const Output out = outputOf(sub);
  const int most = *std::max_element(o.nodes.begin(), o.nodes.end());
  std::vector<Variant> variants = o.variants;
  if (variants.empty()) variants.push_back({"default", {}});

  std::string s = "#!/bin/bash\n";
  s += fmt::format("#SBATCH --job-name={}\n", o.jobName);
  // --nodes always: --ntasks-per-node alone is a maximum, and a one-node job could land on two.
  s += fmt::format("#SBATCH --nodes={}\n", most);
  s += fmt::format("#SBATCH --ntasks-per-node={}\n", o.ntasksPerNode);
  if (o.gpusPerNode > 0) s += fmt::format("#SBATCH --gpus-per-node={}\n", o.gpusPerNode);
  if (o.cpusPerTask > 0) s += fmt::format("#SBATCH --cpus-per-task={}\n", o.cpusPerTask);
  if (!o.partition.empty()) s += fmt::format("#SBATCH --partition={}\n", o.partition);
  if (!o.account.empty()) s += fmt::format("#SBATCH --account={}\n", o.account);
  s += fmt::format("#SBATCH --time={}\n", o.time);
  if (o.exclusive) s += "#SBATCH --exclusive\n";
  // The log goes to the submission directory: SLURM opens it before the script runs and does
  // not create folders (a missing --output-dir would fail the job at once, exit 0:53).
  s += "#SBATCH --output=%x-%j.out\n";
  s += fmt::format("# Generated by hockney jobscript: {}\n", commentText(generatedBy));
  s +=
      "# Each step writes into OUT/<variant>/n<nodes>/ and checkpoints as it goes: a job killed "
      "at\n"
      "# its time limit keeps what it measured, and the same script submitted again resumes it\n"
      "# (finished steps are skipped). Reports record the SLURM job (id, nodes, node list, tasks,\n"
      "# partition) from the environment srun passes on.\n";
  s += "set -euo pipefail\n";
  s += fmt::format("HOCKNEY={}\n", shellQuote(o.hockney));
  s += fmt::format("OUT={}\n", shellQuote(o.outputDir));
  s += fmt::format("TASKS_PER_NODE={}\n", o.ntasksPerNode);
  s += "mkdir -p \"$OUT\"\n";
  s += "echo \"hockney job ${SLURM_JOB_ID:-?} on ${SLURM_JOB_NODELIST:-?}: $(date -u "
       "+%Y-%m-%dT%H:%M:%SZ)\"\n\n";
  s += "# launch NODES ARGS...: hockney on NODES nodes of the allocation, TASKS_PER_NODE each;\n"
       "# HOCKNEY_EXPORT names the variant's variables (mpirun forwards only what -x names).\n";
  if (o.launcher == "srun") {
    s += "launch() {\n"
         "  local n=$1\n"
         "  shift\n"
         "  srun --mpi=pmix --nodes=\"$n\" --ntasks=$((n * TASKS_PER_NODE)) "
         "--ntasks-per-node=\"$TASKS_PER_NODE\" --kill-on-bad-exit=1 \"$HOCKNEY\" \"$@\"\n"
         "}\n";
  } else {
    s += "launch() {\n"
         "  local n=$1 hosts v\n"
         "  local forward=()\n"
         "  shift\n"
         "  hosts=$(scontrol show hostnames \"$SLURM_JOB_NODELIST\" | head -n \"$n\" | sed "
         "\"s/\\$/:$TASKS_PER_NODE/\" | paste -sd, -)\n"
         "  for v in ${HOCKNEY_EXPORT:-}; do forward+=(-x \"$v\"); done\n"
         "  mpirun -np $((n * TASKS_PER_NODE)) --host \"$hosts\" --bind-to none "
         "\"${forward[@]}\" \"$HOCKNEY\" \"$@\"\n"
         "}\n";
  }
  s += "\n# measure VARIANT NODES: one step, skipped when finished, resumed when checkpointed.\n";
  s += "measure() {\n"
       "  local dir=\"$OUT/$1/n$2\" nodes=$2\n"
       "  local resume=()\n"
       "  mkdir -p \"$dir\"\n";
  s += fmt::format("  if [ -e \"$dir\"/{} ]; then\n", out.done);
  s += fmt::format("    echo \"hockney: $dir/{} exists: step finished, skipped\"\n", out.done);
  s += "    return 0\n  fi\n";
  s += fmt::format("  if [ -e \"$dir\"/{} ]; then resume=(--resume); fi\n", out.checkpoint);
  const std::string outArg = out.argument.empty() ? "\"$dir\"" : "\"$dir\"/" + out.argument;
  s += fmt::format("  launch \"$nodes\" {}{} --out {} \"${{resume[@]}}\"\n", hockneySub,
                   quoteAll(args), outArg);
  s += "}\n\n";

  for (const Variant& v : variants) {
    std::string names;
    for (const auto& [key, value] : v.env) names += (names.empty() ? "" : " ") + key;
    for (int k : o.nodes) {
      s += fmt::format("# variant {}, {} node(s)\n", v.name, k);
      s += "(\n";
      for (const auto& [key, value] : v.env)
        s += fmt::format("  export {}={}\n", key, shellQuote(value));
      s += fmt::format("  export HOCKNEY_EXPORT={}\n", shellQuote(names));
      s += fmt::format("  measure {} {}\n", shellQuote(v.name), k);
      s += ")\n";
    }
  }
  if (sub == kPairMatrix) return s + "echo \"hockney: done; pair matrices in $OUT\"\n";
  if (sub == "tune") {
    // Every node count's communicator size in one file per variant, beside its reports.
    const bool nccl = hasBackendNccl(o.command);
    const std::string format = nccl ? "nccl-tuner" : "ompi-rules";
    const std::string file = nccl ? "nccl_tuner.conf" : "rules.conf";
    s += "\n# The tuning file of each variant from its reports: no MPI, on the batch node.\n";
    for (const Variant& v : variants) {
      const std::string dir = fmt::format("\"$OUT\"/{}", shellQuote(v.name));
      std::string reports;
      for (int k : o.nodes) reports += fmt::format(" {}/n{}/results.json", dir, k);
      s += fmt::format("\"$HOCKNEY\" tune{} --format {} --out {}/{} --json {}/tune.json\n", reports,
                       format, dir, file, dir);
    }
    return s + fmt::format("echo \"hockney: done; reports and {} in $OUT/<variant>/ (use: {})\"\n",
                           file,
                           nccl ? "NCCL_TUNER_CONFIG_FILE=FILE with NCCL's example tuner plugin"
                                : "mpirun --mca coll_tuned_use_dynamic_rules 1 --mca "
                                  "coll_tuned_dynamic_rules_filename FILE");
  }

  // Fits (calibrate fitted already), then every variant against the first, per node count, and
  // the model's step under each.
  s += "\n# Fits, comparisons and projections: no MPI, on the batch node.\n";
  for (int k : o.nodes)
    for (const Variant& v : variants) {
      const std::string dir = fmt::format("\"$OUT\"/{}/n{}", shellQuote(v.name), k);
      if (sub == "run")
        s += fmt::format(
            "[ -e {0}/calibration.json ] || \"$HOCKNEY\" fit {0}/results.json --out "
            "{0}/calibration.json\n",
            dir);
      if (!o.model.empty())
        s += fmt::format(
            "\"$HOCKNEY\" project --calibration {0}/calibration.json --model {1} --layout {2} "
            "--gpus-per-node {3} --out {0}/step.json\n",
            dir, shellQuote(o.model), shellQuote(o.layout),
            o.gpusPerNode > 0 ? o.gpusPerNode : o.ntasksPerNode);
    }
  for (int k : o.nodes)
    for (size_t i = 1; i < variants.size(); ++i) {
      const std::string a = fmt::format("\"$OUT\"/{}/n{}", shellQuote(variants[0].name), k);
      const std::string b = fmt::format("\"$OUT\"/{}/n{}", shellQuote(variants[i].name), k);
      std::string model;
      if (!o.model.empty())
        model =
            fmt::format(" --model {} --layout {} --gpus-per-node {}", shellQuote(o.model),
                        shellQuote(o.layout), o.gpusPerNode > 0 ? o.gpusPerNode : o.ntasksPerNode);
      s += fmt::format(
          "\"$HOCKNEY\" compare {}/calibration.json {}/calibration.json{} --out "
          "\"$OUT\"/compare-{}-{}-n{}.json\n",
          a, b, model, variants[0].name, variants[i].name, k);
    }
  return s + "echo \"hockney: done; reports in $OUT\"\n";
}

}  // namespace hockney
