// 64-bit division for a 32-bit CPU. Clang lowers 64-bit `/` and `%` on i586
// to these compiler-runtime calls; the freestanding kernel provides them
// (shift-and-subtract: the kernel divides 64-bit values rarely, mostly when
// formatting numbers).
#include <stdint.h>

namespace {

uint64_t divide(uint64_t numerator, uint64_t denominator, uint64_t* remainder) {
  if (denominator == 0) __builtin_trap();
  uint64_t quotient = 0, rest = 0;
  for (int bit = 63; bit >= 0; --bit) {
    rest = (rest << 1) | ((numerator >> bit) & 1);
    if (rest >= denominator) {
      rest -= denominator;
      quotient |= uint64_t{1} << bit;
    }
  }
  if (remainder != nullptr) *remainder = rest;
  return quotient;
}

uint64_t magnitude(int64_t value) {
  return value < 0 ? 0 - static_cast<uint64_t>(value) : value;
}

}  // namespace

extern "C" {

uint64_t __udivdi3(uint64_t a, uint64_t b) {
  return divide(a, b, nullptr);
}

uint64_t __umoddi3(uint64_t a, uint64_t b) {
  uint64_t r;
  divide(a, b, &r);
  return r;
}

int64_t __divdi3(int64_t a, int64_t b) {
  uint64_t q = divide(magnitude(a), magnitude(b), nullptr);
  return (a < 0) != (b < 0) ? -static_cast<int64_t>(q) : static_cast<int64_t>(q);
}

int64_t __moddi3(int64_t a, int64_t b) {
  uint64_t r;
  divide(magnitude(a), magnitude(b), &r);
  return a < 0 ? -static_cast<int64_t>(r) : static_cast<int64_t>(r);
}

}  // extern "C"
