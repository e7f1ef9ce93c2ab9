// The PL011 UART (UART0) as the kernel console: polled, no interrupts, no
// locks, so it works from the first line of boot to the last of a panic.
#pragma once

#include <stddef.h>

namespace aarch64::pl011 {

// Routes GPIO14/15 to the UART and programs 115200 8N1 with FIFOs. Call once,
// on the boot CPU, before the first write.
void init();

// Writes `length` bytes, "\n" as "\r\n", waiting for FIFO space.
void write(const char* text, size_t length);

// Waits until the last byte has left the transmitter.
void flush();

}  // namespace aarch64::pl011
