// Freestanding string and memory helpers. The mem* functions are the C symbols
// the compiler may emit calls to; the kernel defines them in lib/string.cc and
// host builds take them from libc.
#pragma once

#include <stddef.h>

#if __STDC_HOSTED__
#include <string.h>
#else
extern "C" {
void* memcpy(void* dst, const void* src, size_t n);
void* memmove(void* dst, const void* src, size_t n);
void* memset(void* dst, int value, size_t n);
int memcmp(const void* a, const void* b, size_t n);
size_t strlen(const char* s);
}
#endif

namespace lib {

// Length of `s`, looking at no more than `max` bytes.
size_t strnlen(const char* s, size_t max);

// Copies `src` into `dst` (capacity `cap` > 0), truncating; always terminates.
// Returns the length of `src`, so truncation shows as a result >= cap.
size_t strlcpy(char* dst, const char* src, size_t cap);

// True if the NUL-terminated strings are equal.
bool streq(const char* a, const char* b);

// True if `s` starts with `prefix`.
bool starts_with(const char* s, const char* prefix);

}  // namespace lib
