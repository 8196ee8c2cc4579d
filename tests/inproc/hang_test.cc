// A rank that stops sending must turn into an error that names the stalled step, not a hang.
#include <gtest/gtest.h>

#include <vector>

#include "collectives/allreduce/allreduce.h"
#include "collectives/core/error.h"
#include "collectives/transport/inproc.h"

namespace hockney {
namespace {

TEST(InprocTimeout, ARankThatNeverSendsIsReportedWithTheStep) {
  InprocOptions options;
  options.timeout = std::chrono::milliseconds(300);
  options.fault = FaultInjection{1, 2};  // rank 1 posts no sends from its step 2 on
  // Two ranks: rank 0 is the first to wait for what rank 1 never sends.
  AllreduceShape shape{1000, DataType::kFloat32, ReduceOp::kSum, kDefaultChunkBytes};
  const Algorithm* ring = findAlgorithm("allreduce", "ring");
  try {
    runInproc(
        2,
        [&](Transport& t) {
          std::vector<float> in(1000, 1.0f), out(1000);
          std::vector<std::byte> scratch(ring->scratch(allreduceCall(2, shape), 0));
          ring->run(t, allreduceCall(2, shape), CallBuffers{in.data(), out.data(), scratch.data()});
        },
        options);
    FAIL() << "the stalled ring finished";
  } catch (const Error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("timeout"), std::string::npos) << what;
    EXPECT_NE(what.find("from rank 1"), std::string::npos) << what;
    EXPECT_NE(what.find("step 2"), std::string::npos) << what;
  }
}

TEST(InprocMessages, SizeMismatchIsAnError) {
  EXPECT_THROW(runInproc(2,
                         [](Transport& t) {
                           char buf[8] = {};
                           if (t.rank() == 0)
                             t.send(1, buf, 8);
                           else
                             t.recv(0, buf, 4);
                         }),
               Error);
}

}  // namespace
}  // namespace hockney
