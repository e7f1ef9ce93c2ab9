// x86 port I/O for user drivers, on ports the process was granted
// (mica_ioport_allow); any other port faults.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace port_io {

inline uint8_t inb(uint16_t port) {
  uint8_t value;
  asm volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
  return value;
}

inline void outb(uint16_t port, uint8_t value) {
  asm volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

inline uint16_t inw(uint16_t port) {
  uint16_t value;
  asm volatile("inw %1, %0" : "=a"(value) : "Nd"(port));
  return value;
}

inline void outw(uint16_t port, uint16_t value) {
  asm volatile("outw %0, %1" : : "a"(value), "Nd"(port));
}

// `count` 16-bit reads from `port` into `buffer` (rep insw).
inline void insw(uint16_t port, void* buffer, size_t count) {
  asm volatile("rep insw" : "+D"(buffer), "+c"(count) : "d"(port) : "memory");
}

// `count` 16-bit writes of `data` to `port` (rep outsw).
inline void outsw(uint16_t port, const void* data, size_t count) {
  asm volatile("rep outsw" : "+S"(data), "+c"(count) : "d"(port) : "memory");
}

}  // namespace port_io
