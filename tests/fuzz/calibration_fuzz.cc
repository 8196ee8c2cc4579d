// A calibration as hockney project reads it, then a projection priced with it.
#include "model/catalog.h"
#include "model/projection.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hockney;
  const std::string path = fuzz::asFile(data, size, "-calibration.json");
  fuzz::expectUsageErrorsOnly([&] {
    CalibrationSet cal = loadCalibrations({path});
    TrainingOptions o;
    o.globalBatch = 64;
    projectIteration(findModel("megatron-8.3b"), parseLayout("tp=2,pp=2,dp=2"), o, cal, "best");
  });
  return 0;
}
