// 16550 UART on COM1 (I/O port 0x3f8): the PC boards' kernel console.
// Polled: the kernel console must work before interrupts and during a panic.
#pragma once

#include <stddef.h>

namespace arch::x86 {

// Programs COM1 for 115200 baud, 8N1, FIFOs on, interrupts off.
void serial_init();

// Writes `length` bytes, turning "\n" into "\r\n".
void serial_write(const char* text, size_t length);

}  // namespace arch::x86
