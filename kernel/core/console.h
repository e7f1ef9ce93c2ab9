// Kernel console output and panic.
#pragma once

#include <stdarg.h>
#include <stddef.h>

// printf to the console (lib/format.h conversions).
void kprintf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void vkprintf(const char* fmt, va_list args);

// Writes `length` bytes as they are (user programs' debug output), whole:
// console writers on other CPUs wait rather than interleave.
void console_write_all(const char* text, size_t length);

// Prints "PANIC: <reason>", the CPU registers, and stops the machine with a
// failure code (under QEMU the VM exits; on hardware the CPU halts).
[[noreturn]] void panic(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
