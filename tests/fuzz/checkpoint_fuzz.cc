// A checkpoint (.jsonl) as hockney run --resume reads it.
#include "reports/results.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hockney;
  const std::string path = fuzz::asFile(data, size, "-run.json.jsonl");
  fuzz::expectUsageErrorsOnly([&] {
    Checkpoint cp(path);
    cp.hasRows();
    std::vector<std::string> notes;
    const nlohmann::json identity{
        {"pattern", "allreduce"}, {"ranks", 2}, {"dtype", "float32"}, {"op", "sum"}};
    cp.load(identity, notes);
  });
  return 0;
}
