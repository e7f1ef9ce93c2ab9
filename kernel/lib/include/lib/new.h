// Placement new. Hosted builds (host unit tests) take it from <new>; the
// freestanding kernel defines it here so no hosted header is ever needed.
#pragma once

#include <stddef.h>

#if __STDC_HOSTED__
#include <new>
#else
inline void* operator new(size_t, void* where) noexcept {
  return where;
}
inline void* operator new[](size_t, void* where) noexcept {
  return where;
}
#endif
