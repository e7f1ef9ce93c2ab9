// x86 port I/O for user space (the ports granted by mica_ioport_allow; any
// other port faults). Defines CONSOLE_HAS_PORT_IO where the arch has ports.
#pragma once

#include <stdint.h>

#if defined(__x86_64__) || defined(__i386__)
#define CONSOLE_HAS_PORT_IO 1

namespace console {

inline uint8_t inb(uint16_t port) {
  uint8_t value;
  asm volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
  return value;
}

inline void outb(uint16_t port, uint8_t value) {
  asm volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

}  // namespace console

#else
#define CONSOLE_HAS_PORT_IO 0
#endif
