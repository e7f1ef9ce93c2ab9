// <strings.h>: case-insensitive comparison.
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

int bcmp(const void* a, const void* b, size_t n);
int strcasecmp(const char* a, const char* b);
int strncasecmp(const char* a, const char* b, size_t n);

#ifdef __cplusplus
}
#endif
