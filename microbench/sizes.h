#pragma once
// Message sizes: parsing what users type ("1004", "64K", "1M", "2GiB") and the geometric sweep
// of nccl-tests' -b/-e/-f.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "collectives/core/datatype.h"

namespace hockney {

// Bytes; K, M, G (optionally followed by B or iB) are powers of 1024. Throws UsageError.
size_t parseSize(std::string_view text);
std::vector<size_t> parseSizeList(std::string_view text);  // comma-separated
// min, min·f, min·f², ... up to max. Throws UsageError when min > max or factor < 2.
std::vector<size_t> geometricSizes(size_t minBytes, size_t maxBytes, size_t factor);
// Throws UsageError naming the first size that is not a whole number of `type` elements.
void checkWholeElements(const std::vector<size_t>& sizes, DataType type);
std::string formatBytes(size_t bytes);  // "64 KiB", "1004 B"

}  // namespace hockney
