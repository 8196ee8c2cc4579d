#pragma once
// Reference fabrics: calibrations built by `hockney import` + `hockney fit` from published
// nccl-tests output of named systems (data/fabrics/NAME/: the raw logs, fabric.json with the
// source and the build commands, calibration.json). They are built into the binary, so
// `--calibration ref:NAME` works wherever a calibration file does, from any directory.
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace hockney {

struct ReferenceFabric {
  std::string name;    // what ref:NAME names
  std::string title;   // one line: the system and what the logs cover
  std::string system;  // the system as its source describes it
  std::string gpu;
  std::vector<std::string> levels;  // the link levels its calibration has fits for
  std::string sourceUrl, sourceWhat, sourceDate, libraries;
  std::vector<std::string> notes;  // what its logs do not cover
  nlohmann::json calibration;      // as shipped in data/fabrics/NAME/calibration.json
};

inline constexpr std::string_view kReferencePrefix = "ref:";

// Every reference fabric, by name.
const std::vector<ReferenceFabric>& referenceFabrics();

// The fabric called `name`; UsageError listing the names there are otherwise.
const ReferenceFabric& referenceFabric(const std::string& name);

// True for "ref:NAME".
bool isReference(std::string_view spec);

// A calibration's JSON from a file path or ref:NAME (UsageError naming either when it is not
// one). `what` names it in errors about files ("calibration").
nlohmann::json readCalibrationJson(const std::string& spec, std::string_view what);

}  // namespace hockney
