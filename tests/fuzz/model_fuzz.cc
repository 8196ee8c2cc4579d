// A model file as hockney models/project read it, and the parameter count from its dims.
#include "model/catalog.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hockney;
  const std::string path = fuzz::asFile(data, size, "-model.json");
  fuzz::expectUsageErrorsOnly([&] {
    for (const ModelSpec& m : readModelFile(path)) {
      countParams(m);
      paramMismatch(m);
    }
  });
  return 0;
}
