#pragma once
// `hockney project`: prices a step's communication (step_comm.h) with calibrated fits. Groups
// are placed innermost-first (default TP, then PP, then DP): a group whose GPUs fit in one node
// is "intra", otherwise "inter" (the slowest level it crosses; no hierarchical algorithms yet).
// Each collective's coefficients come from the algorithm's own cost() at the group's size and
// the message size, so the projection uses the same cost functions the fit used.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "reports/step_comm.h"

namespace hockney {

struct CalibrationSet {
  std::vector<nlohmann::json> fits;
  nlohmann::json sources = nlohmann::json::array();
};

// Reads calibration files; throws UsageError for unreadable or foreign JSON.
CalibrationSet loadCalibrations(const std::vector<std::string>& paths);

// policy: best | ring | vendor. Throws UsageError when a needed fit is missing.
nlohmann::json projectStep(const ModelSpec& model, const Layout& layout, const StepOptions& options,
                           const CalibrationSet& calibration, const std::string& policy);

}  // namespace hockney
