#pragma once
// Test data with a closed-form expected result. Values are small integers, exactly representable
// in every type (bfloat16 included) and so are all their partial sums, products, minima and
// maxima for up to 64 ranks: any algorithm, in any reduction order, must produce the exact
// expected value, and validation compares exactly (tolerance 0).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "collectives/core/datatype.h"

namespace hockney {

// The largest rank count whose expected results stay exact in `type` (sums grow with p).
int validationRankLimit(DataType type);
// Throws UsageError when `ranks` is over the limit: "<ranks> ranks: validation of <type> is exact
// only up to <limit> ranks<advice>".
void checkValidationRanks(int ranks, DataType type, std::string_view advice);

// The value rank `rank` contributes at element i.
double inputValue(int rank, size_t i, ReduceOp op);
// The reduction over ranks 0..p-1 of inputValue at element i.
double expectedValue(int p, size_t i, ReduceOp op);

double readElement(const void* buf, size_t i, DataType type);
void writeElement(void* buf, size_t i, DataType type, double value);

void fillInput(void* buf, size_t count, DataType type, ReduceOp op, int rank);
// A pattern no correct result contains (NaN for floats, a large value for integers).
void poison(void* buf, size_t count, DataType type);

// The first element of buf[0, count) that differs from the expected reduction over p ranks of
// elements [first, first + count) of the input, described; nullopt when all match.
std::optional<std::string> checkReduced(const void* buf, size_t count, DataType type, ReduceOp op,
                                        int p, size_t first = 0);

}  // namespace hockney
