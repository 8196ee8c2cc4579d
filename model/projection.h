#pragma once
// `hockney project`: prices a step's communication (step_comm.h) with calibrated fits. Groups
// are placed innermost-first (default TP, then PP, then DP): a group whose GPUs fit in one node
// is priced at level "node", otherwise "network" (the slowest level it crosses), with the
// hierarchical all-reduce among the candidates where a node holds several of its ranks.
// Each collective's coefficients come from the algorithm's own cost() at the group's size and
// the message size, so the projection uses the same cost functions the fit used.
#include <nlohmann/json.hpp>

#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/calibration.h"
#include "model/iteration.h"
#include "model/vendor.h"

namespace hockney {

struct CalibrationSet {
  std::vector<CalibratedFit> fits;
  std::vector<nlohmann::json> sources;  // per calibration: path, created_at, level, sources
  std::optional<HostDrift> hostDrift;   // the first calibration's drift probe, where it has one
  // How vendor fits price rank counts they were not measured at (model/vendor.h).
  VendorScaling vendorScaling = VendorScaling::kAuto;
};

// Reads calibration files; throws UsageError for unreadable or foreign JSON.
CalibrationSet loadCalibrations(const std::vector<std::string>& paths);

// The level whose fits price a group that crosses `needed`: itself when the calibration has it;
// else the closest it has (an in-host group takes the widest in-host level measured, then an
// unlabelled calibration (no level recorded), then any; a network group an unlabelled
// calibration, then an in-host level), with `note` saying so.
struct LevelChoice {
  LinkLevel level = LinkLevel::kUnrecorded;
  std::string note;  // empty when the level is the one needed
};
LevelChoice chooseLevel(LinkLevel needed, const std::set<LinkLevel>& have);

// The coefficients a priced call used; a composed algorithm's split by level too, each with the
// fit that priced its phase.
struct PricedCost {
  struct Phase {
    Cost cost;
    std::string fit;  // "allreduce/ring at 'node'"
  };
  Cost total;
  std::optional<Phase> node, network;
  nlohmann::json toJson() const;
};

struct PricedCall {
  std::string algorithm;
  LinkLevel calibrationLevel = LinkLevel::kUnrecorded;  // the level whose fits priced it
  std::string levelNote;  // why that is not the level the group crosses; empty when it is
  double seconds = std::numeric_limits<double>::infinity();
  std::optional<PricedCost> cost;  // none for black boxes
  bool blackBox = false;
  std::vector<std::string> candidates;
  std::vector<int> measuredRanks;            // the rank counts behind the fit that priced it
  std::vector<std::string> qualityWarnings;  // the fit's flags, repeated beside its numbers
  double largestMeasuredBytes = 0;           // of the fit that priced it (0: unknown)
  // A vendor fit carried to another rank count, or a message priced from a collective's bus
  // bandwidth: how (model/vendor.h); empty when the fit measured the call as it is.
  std::string scalingNote;
};

// One collective of `item` at `level`, by policy (best | ring | vendor). Throws UsageError when
// no fit can price it.
// ranksPerNode: members of the group on one node (more than one, at level 'network': the
// hierarchical all-reduce is priced too, from in-host ring and network Rabenseifner fits).
PricedCall priceCall(const CommItem& item, LinkLevel level, const CalibrationSet& cal,
                     const std::string& policy, std::vector<std::string>& notes,
                     int ranksPerNode = 1);

// One collective of the step, priced: what the group crosses and which fits priced it.
struct PricedItem {
  CommItem item;
  LinkLevel level = LinkLevel::kUnrecorded;  // the widest level the group crosses
  int ranksPerNode = 1;
  long gpusSpanned = 0;
  PricedCall call;
  bool extrapolated = false;  // its fit measured fewer ranks than the group has
  double stepSeconds() const { return call.seconds * item.count; }
  // What this GPU puts on the wire per step (the algorithm's beta bytes); none for black boxes.
  std::optional<double> wireBytesPerStep() const;
  nlohmann::json toJson() const;
};

struct GroupCost {
  double collectives = 0, bytesPerGpu = 0, wireBytesPerGpu = 0, timeMs = 0;
  std::vector<std::string> algorithms;
  LinkLevel level = LinkLevel::kUnrecorded;  // the widest level the group crosses
  std::vector<LinkLevel> pricedWith;         // the levels of the fits that priced its calls
  std::vector<std::string> pricedWithNames() const;
  nlohmann::json toJson() const;
};
// {group name: its cost}, as step_cost.json and comparison.json write them.
nlohmann::json groupsJson(const std::map<std::string, GroupCost>& groups);

// step_cost.json, typed: what `project` prints and writes and `compare` sets side by side.
struct StepCost {
  std::string createdAt;
  ModelSpec model;
  Layout layout;
  TrainingOptions options;
  long globalBatch = 0;
  int microBatchesPerPipeline = 0, seqLen = 0;
  std::string policy;
  std::vector<PricedItem> items;
  std::map<std::string, GroupCost> groups;  // by group name
  double totalMs = 0;
  std::string dominantGroup;
  std::vector<std::string> assumptions, notes;
  std::vector<nlohmann::json> calibration;  // the calibrations' provenance
  nlohmann::json toJson() const;
};

// policy: best | ring | vendor. Throws UsageError when a needed fit is missing.
StepCost projectIteration(const ModelSpec& model, const Layout& layout,
                          const TrainingOptions& options, const CalibrationSet& calibration,
                          const std::string& policy);

}  // namespace hockney
