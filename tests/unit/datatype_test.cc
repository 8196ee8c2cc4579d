#include "collectives/core/datatype.h"

#include <gtest/gtest.h>

#include <cmath>

#include "collectives/core/error.h"
#include "collectives/core/half.h"
#include "collectives/core/reduce.h"

namespace hockney {
namespace {

TEST(DataType, NamesRoundTripAndAliasesParse) {
  for (DataType t : kAllDataTypes) EXPECT_EQ(parseDataType(name(t)), t);
  for (ReduceOp o : kAllReduceOps) EXPECT_EQ(parseReduceOp(name(o)), o);
  EXPECT_EQ(parseDataType("float"), DataType::kFloat32);
  EXPECT_EQ(parseDataType("half"), DataType::kFloat16);
  EXPECT_EQ(parseDataType("bf16"), DataType::kBfloat16);
  EXPECT_EQ(elementSize(DataType::kBfloat16), 2u);
  EXPECT_EQ(elementSize(DataType::kInt64), 8u);
}

TEST(DataType, UnknownNamesSayWhatIsAccepted) {
  try {
    parseDataType("float128");
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("float128"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("bfloat16"), std::string::npos);
  }
  EXPECT_THROW(parseReduceOp("avg"), UsageError);
}

TEST(Half, ConversionsAreExactForRepresentableValuesAndRoundToNearestEven) {
  for (float v : {0.0f, 1.0f, -2.5f, 65504.0f, 6.103515625e-05f, 5.9604645e-08f, 1000.0f})
    EXPECT_EQ(toFloat(toFloat16(v)), v) << v;
  EXPECT_TRUE(std::isinf(toFloat(toFloat16(70000.0f))));
  EXPECT_TRUE(std::isnan(toFloat(toFloat16(NAN))));
  EXPECT_EQ(toFloat(toFloat16(2049.0f)), 2048.0f);  // tie goes to even
  for (float v : {0.0f, 1.0f, -3.0f, 256.0f, 1.5f}) EXPECT_EQ(toFloat(toBfloat16(v)), v) << v;
  EXPECT_EQ(toFloat(toBfloat16(257.0f)), 256.0f);  // tie goes to even
  EXPECT_TRUE(std::isnan(toFloat(toBfloat16(NAN))));
}

TEST(HostReduce, EveryOpOnEveryType) {
  float a[3] = {1, 5, -2}, b[3] = {4, 2, -3};
  hostReduce(a, b, 3, DataType::kFloat32, ReduceOp::kMax);
  EXPECT_EQ(a[0], 4);
  EXPECT_EQ(a[1], 5);
  EXPECT_EQ(a[2], -2);
  int64_t c[2] = {3, -4}, d[2] = {5, 6};
  hostReduce(c, d, 2, DataType::kInt64, ReduceOp::kProd);
  EXPECT_EQ(c[0], 15);
  EXPECT_EQ(c[1], -24);
  Bfloat16 e[1] = {toBfloat16(3)}, f[1] = {toBfloat16(4)};
  hostReduce(e, f, 1, DataType::kBfloat16, ReduceOp::kSum);
  EXPECT_EQ(toFloat(e[0]), 7.0f);
  Float16 g[1] = {toFloat16(3)}, h[1] = {toFloat16(-4)};
  hostReduce(g, h, 1, DataType::kFloat16, ReduceOp::kMin);
  EXPECT_EQ(toFloat(g[0]), -4.0f);
}

}  // namespace
}  // namespace hockney
