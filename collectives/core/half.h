#pragma once
// bfloat16 and IEEE half stored as raw bits; host arithmetic converts through float.
#include <bit>
#include <cstdint>
#include <cstring>

namespace hockney {

struct Bfloat16 {
  uint16_t bits;
};
struct Float16 {
  uint16_t bits;
};

inline float toFloat(Bfloat16 v) {
  return std::bit_cast<float>(static_cast<uint32_t>(v.bits) << 16);
}

// Round to nearest even; NaN stays NaN.
inline Bfloat16 toBfloat16(float f) {
  uint32_t u = std::bit_cast<uint32_t>(f);
  if ((u & 0x7f800000u) == 0x7f800000u && (u & 0x007fffffu) != 0)
    return Bfloat16{static_cast<uint16_t>((u >> 16) | 0x40u)};
  uint32_t rounding = 0x7fffu + ((u >> 16) & 1u);
  return Bfloat16{static_cast<uint16_t>((u + rounding) >> 16)};
}

float toFloat(Float16 v);
Float16 toFloat16(float f);

}  // namespace hockney
