#pragma once
// `hockney compare A B`: two results reports (per point: time and bandwidth ratios B/A), or two
// calibrations (per fit: α, bandwidth and reduction rate side by side, and optionally a model
// step projected under each) — the interconnect comparison.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "model/iteration.h"

namespace hockney {

struct CompareProjection {
  const ModelSpec* model = nullptr;
  Layout layout;
  TrainingOptions options;
  std::string policy = "best";
};

// Throws UsageError when the two files are not both results or both calibrations, or share no
// points/fits. Hot and cold buffers are not compared unless `force` (then a note says so).
nlohmann::json compareFiles(const std::string& pathA, const std::string& pathB,
                            const std::optional<CompareProjection>& projection, bool force = false);

}  // namespace hockney
