#pragma once
// Closed-form data and checks for the block patterns. Rank a's input element k is
// inputValue(a, k, op): a reduce-scatter's block r reduces elements [r·b, (r+1)·b) over ranks,
// an all-gather's block q is rank q's first b elements, and all-to-all rank b receives from
// rank a the elements [b·blk, (b+1)·blk) of a's input.
#include <optional>
#include <string>

#include "collectives/core/block.h"

namespace hockney {

std::optional<std::string> checkReduceScatter(const void* out, const BlockShape& s, int rank);
std::optional<std::string> checkAllgather(const void* out, const BlockShape& s);
std::optional<std::string> checkAlltoall(const void* out, const BlockShape& s, int rank);
// Elements [first, first + count) of `rank`'s closed-form input, compared with buf.
std::optional<std::string> checkInputSlice(const void* buf, size_t count, DataType type, int rank,
                                           size_t first, const char* what);

}  // namespace hockney
