#include <gtest/gtest.h>

#include "collectives/core/error.h"
#include "microbench/sizes.h"

namespace hockney {
namespace {

TEST(Sizes, ParsesPlainAndSuffixedSizes) {
  EXPECT_EQ(parseSize("1004"), 1004u);
  EXPECT_EQ(parseSize("64K"), 65536u);
  EXPECT_EQ(parseSize("64k"), 65536u);
  EXPECT_EQ(parseSize("1M"), 1048576u);
  EXPECT_EQ(parseSize("2GiB"), size_t{2} << 30);
  EXPECT_EQ(parseSize("8B"), 8u);
  EXPECT_EQ(parseSizeList("4,1004,64K"), (std::vector<size_t>{4, 1004, 65536}));
}

TEST(Sizes, RejectsWhatIsNotASize) {
  for (const char* bad :
       {"", "x", "-4", "12Q", "1.5M", "4,,8", "99999999999999999999G", "8,8", "1K,1024"})
    EXPECT_THROW(parseSizeList(bad), UsageError) << bad;
}

TEST(Sizes, GeometricSweepIncludesBothEnds) {
  EXPECT_EQ(geometricSizes(8, 64, 2), (std::vector<size_t>{8, 16, 32, 64}));
  EXPECT_EQ(geometricSizes(8, 100, 4), (std::vector<size_t>{8, 32}));
  EXPECT_EQ(geometricSizes(5, 5, 2), (std::vector<size_t>{5}));
  EXPECT_THROW(geometricSizes(64, 8, 2), UsageError);
  EXPECT_THROW(geometricSizes(8, 64, 1), UsageError);
}

TEST(Sizes, WholeElementsOnly) {
  EXPECT_NO_THROW(checkWholeElements({8, 16}, DataType::kFloat64));
  try {
    checkWholeElements({8, 1002}, DataType::kFloat32);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(),
                 "size 1002 bytes is not a whole number of float32 elements (4 bytes each)");
  }
}

}  // namespace
}  // namespace hockney
