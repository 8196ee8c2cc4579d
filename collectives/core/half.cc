#include "collectives/core/half.h"

namespace hockney {

float toFloat(Float16 v) {
  uint32_t sign = static_cast<uint32_t>(v.bits & 0x8000u) << 16;
  uint32_t exponent = (v.bits >> 10) & 0x1fu;
  uint32_t mantissa = v.bits & 0x3ffu;
  uint32_t u;
  if (exponent == 0) {
    if (mantissa == 0) {
      u = sign;
    } else {  // subnormal: normalise
      int shift = 0;
      while ((mantissa & 0x400u) == 0) {
        mantissa <<= 1;
        ++shift;
      }
      mantissa &= 0x3ffu;
      u = sign | static_cast<uint32_t>(127 - 15 - shift + 1) << 23 | mantissa << 13;
    }
  } else if (exponent == 0x1f) {
    u = sign | 0x7f800000u | mantissa << 13;
  } else {
    u = sign | (exponent + 127 - 15) << 23 | mantissa << 13;
  }
  return std::bit_cast<float>(u);
}

Float16 toFloat16(float f) {
  uint32_t u = std::bit_cast<uint32_t>(f);
  auto sign = static_cast<uint16_t>((u >> 16) & 0x8000u);
  uint32_t absBits = u & 0x7fffffffu;
  if (absBits >= 0x7f800000u)  // inf or NaN
    return Float16{static_cast<uint16_t>(sign | 0x7c00u | (absBits > 0x7f800000u ? 0x200u : 0u))};
  if (absBits >= 0x477ff000u)  // rounds to >= 65520: overflow to inf
    return Float16{static_cast<uint16_t>(sign | 0x7c00u)};
  if (absBits < 0x38800000u) {  // below the smallest normal half: subnormal or zero
    if (absBits < 0x33000000u) return Float16{sign};
    uint32_t mantissa = (absBits & 0x7fffffu) | 0x800000u;
    int shift = 126 - static_cast<int>(absBits >> 23);  // 14 + (112 - exp) ...
    uint32_t half = mantissa >> (shift);
    uint32_t rest = mantissa & ((1u << shift) - 1);
    uint32_t halfway = 1u << (shift - 1);
    if (rest > halfway || (rest == halfway && (half & 1u))) ++half;
    return Float16{static_cast<uint16_t>(sign | half)};
  }
  uint32_t rounded = absBits + 0xfffu + ((absBits >> 13) & 1u);
  return Float16{static_cast<uint16_t>(sign | ((rounded - 0x38000000u) >> 13))};
}

}  // namespace hockney
