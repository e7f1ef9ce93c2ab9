#include <stdint.h>

#include <lib/string.h>

namespace lib {

size_t strnlen(const char* s, size_t max) {
  size_t n = 0;
  while (n < max && s[n] != '\0') ++n;
  return n;
}

size_t strlcpy(char* dst, const char* src, size_t cap) {
  size_t len = 0;
  while (src[len] != '\0') ++len;
  if (cap == 0) return len;
  size_t n = len < cap - 1 ? len : cap - 1;
  for (size_t i = 0; i < n; ++i) dst[i] = src[i];
  dst[n] = '\0';
  return len;
}

bool streq(const char* a, const char* b) {
  while (*a != '\0' && *a == *b) ++a, ++b;
  return *a == *b;
}

bool starts_with(const char* s, const char* prefix) {
  while (*prefix != '\0') {
    if (*s++ != *prefix++) return false;
  }
  return true;
}

}  // namespace lib

#if !__STDC_HOSTED__
// The C memory primitives. Compiled only into freestanding (kernel) builds;
// -fno-builtin on this file's config keeps clang from turning the loops back
// into calls to themselves.
extern "C" {

// Word-at-a-time where both pointers allow it: page copies and clears are
// the kernel's biggest users.
void* memcpy(void* dst, const void* src, size_t n) {
  auto* d = static_cast<uint8_t*>(dst);
  const auto* s = static_cast<const uint8_t*>(src);
  if (((reinterpret_cast<uintptr_t>(d) | reinterpret_cast<uintptr_t>(s)) % sizeof(uintptr_t)) ==
      0) {
    for (; n >= sizeof(uintptr_t); n -= sizeof(uintptr_t)) {
      *reinterpret_cast<uintptr_t*>(d) = *reinterpret_cast<const uintptr_t*>(s);
      d += sizeof(uintptr_t);
      s += sizeof(uintptr_t);
    }
  }
  while (n--) *d++ = *s++;
  return dst;
}

void* memmove(void* dst, const void* src, size_t n) {
  auto* d = static_cast<uint8_t*>(dst);
  const auto* s = static_cast<const uint8_t*>(src);
  if (d < s) {
    while (n--) *d++ = *s++;
  } else {
    d += n;
    s += n;
    while (n--) *--d = *--s;
  }
  return dst;
}

void* memset(void* dst, int value, size_t n) {
  auto* d = static_cast<uint8_t*>(dst);
  if (reinterpret_cast<uintptr_t>(d) % sizeof(uintptr_t) == 0) {
    uintptr_t word = static_cast<uint8_t>(value);
    word *= ~uintptr_t{0} / 0xff;  // the byte in every byte of the word
    for (; n >= sizeof(uintptr_t); n -= sizeof(uintptr_t)) {
      *reinterpret_cast<uintptr_t*>(d) = word;
      d += sizeof(uintptr_t);
    }
  }
  while (n--) *d++ = static_cast<uint8_t>(value);
  return dst;
}

int memcmp(const void* a, const void* b, size_t n) {
  const auto* x = static_cast<const uint8_t*>(a);
  const auto* y = static_cast<const uint8_t*>(b);
  for (; n; --n, ++x, ++y) {
    if (*x != *y) return *x < *y ? -1 : 1;
  }
  return 0;
}

size_t strlen(const char* s) {
  size_t n = 0;
  while (s[n] != '\0') ++n;
  return n;
}

}  // extern "C"
#endif
