// --layout and --order, then a model's iteration volumes for what parsed.
#include "model/catalog.h"
#include "model/iteration.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hockney;
  const std::string in = fuzz::text(data, size);
  const size_t bar = in.find('|');  // "LAYOUT|ORDER"
  fuzz::expectUsageErrorsOnly([&] {
    Layout l = parseLayout(in.substr(0, bar));
    if (bar != std::string::npos) l.order = parseOrder(in.substr(bar + 1));
    TrainingOptions o;
    o.globalBatch = 1536;
    iterationCommunication(findModel("gpt3-175b"), l, o);
  });
  return 0;
}
