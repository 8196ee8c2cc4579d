// nccl-tests and OSU logs as hockney import reads them, then the report built from them fitted:
// any log must end in rows or a UsageError naming the file and line.
#include "model/calibration.h"
#include "reports/import.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hockney;
  const std::string log = fuzz::text(data, size);
  for (bool osu : {false, true}) {
    fuzz::expectUsageErrorsOnly([&] {
      const ImportOptions o{"allreduce", 0, "", {}};
      ImportedLog l = osu ? importOsu("fuzz.log", log, {"", 4, "float32", {}})
                          : importNcclTests("fuzz.log", log, o);
      const nlohmann::json report = importedReport({l}, "fuzz", "fuzz", "fuzz");
      std::vector<std::string> warnings;
      fitCalibration({{"fuzz.json", report}}, CalibrateOptions{}, warnings).toJson();
    });
  }
  return 0;
}
