// A results report as hockney fit reads it, then fitted.
#include "model/calibration.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hockney;
  const std::string path = fuzz::asFile(data, size, "-results.json");
  fuzz::expectUsageErrorsOnly([&] {
    std::vector<std::string> warnings;
    fitCalibration({readResultsReport(path)}, CalibrateOptions{}, warnings).toJson();
  });
  return 0;
}
