// The kernel command line: space-separated words, each `flag` or `key=value`.
#pragma once

#include <stddef.h>

namespace cmdline {

// True if the word `flag` (or `flag=...`) appears.
bool has(const char* cmdline, const char* flag);

// Copies the value of `key=value` into `out` (capacity `cap`); false if absent.
bool get(const char* cmdline, const char* key, char* out, size_t cap);

}  // namespace cmdline
