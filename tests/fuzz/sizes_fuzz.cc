// --sizes and -b/-e: parseSizeList, geometricSizes and the whole-element check.
#include "microbench/sizes.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hockney;
  fuzz::expectUsageErrorsOnly([&] {
    std::vector<size_t> sizes = parseSizeList(fuzz::text(data, size));
    checkWholeElements(sizes, DataType::kFloat32);
    if (sizes.size() >= 2) geometricSizes(sizes[0], sizes[1], sizes.size() > 2 ? sizes[2] : 2);
  });
  return 0;
}
