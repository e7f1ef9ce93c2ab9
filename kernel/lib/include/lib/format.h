// printf-style formatting for the kernel: no allocation, no floating point.
//
// Conversions: %d %i %u %x %X %o %p %s %c %%, flags '-' '0' '+' ' ' '#',
// a width and precision (digits or '*'), and length modifiers hh h l ll z t j.
// An unknown conversion is printed literally, so a bad format string never
// reads an argument it was not given.
#pragma once

#include <stdarg.h>
#include <stddef.h>

namespace lib {

// Receives formatted output in pieces.
using FormatSink = void (*)(void* context, const char* text, size_t length);

// Streams the formatted text to `sink`; returns the number of characters.
size_t vformat_to(FormatSink sink, void* context, const char* fmt, va_list args);
size_t format_to(FormatSink sink, void* context, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));

// snprintf semantics: writes at most `capacity - 1` characters plus a NUL
// (nothing if capacity is 0) and returns the length the full text would have.
size_t vformat(char* buffer, size_t capacity, const char* fmt, va_list args);
size_t format(char* buffer, size_t capacity, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));

}  // namespace lib
