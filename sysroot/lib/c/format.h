// libc-internal: the printf engine behind every printf-family function.
#pragma once

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

// Emits `length` bytes of formatted output.
typedef void (*mica_format_sink)(void* context, const char* text, size_t length);

// Formats like vprintf, sending the output to `sink` in pieces. Returns the
// number of characters produced.
int __mica_vformat(mica_format_sink sink, void* context, const char* format, va_list args);

#ifdef __cplusplus
}
#endif
