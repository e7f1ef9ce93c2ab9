// x86 port I/O for user-space drivers, on the ports the process was granted
// (mica_ioport_allow); any other port faults. MICA_HAS_PORT_IO is 1 where
// the arch has I/O ports (x86_64, i586), 0 elsewhere.
#pragma once

#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__) || defined(__i386__)
#define MICA_HAS_PORT_IO 1

static inline uint8_t mica_inb(uint16_t port) {
  uint8_t value;
  __asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
  return value;
}

static inline void mica_outb(uint16_t port, uint8_t value) {
  __asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint16_t mica_inw(uint16_t port) {
  uint16_t value;
  __asm__ volatile("inw %1, %0" : "=a"(value) : "Nd"(port));
  return value;
}

static inline void mica_outw(uint16_t port, uint16_t value) {
  __asm__ volatile("outw %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint32_t mica_inl(uint16_t port) {
  uint32_t value;
  __asm__ volatile("inl %1, %0" : "=a"(value) : "Nd"(port));
  return value;
}

static inline void mica_outl(uint16_t port, uint32_t value) {
  __asm__ volatile("outl %0, %1" : : "a"(value), "Nd"(port));
}

// `count` 16-bit reads from `port` into `buffer` (rep insw).
static inline void mica_insw(uint16_t port, void* buffer, size_t count) {
  __asm__ volatile("rep insw" : "+D"(buffer), "+c"(count) : "d"(port) : "memory");
}

// `count` 16-bit writes of `data` to `port` (rep outsw).
static inline void mica_outsw(uint16_t port, const void* data, size_t count) {
  __asm__ volatile("rep outsw" : "+S"(data), "+c"(count) : "d"(port) : "memory");
}

#else
#define MICA_HAS_PORT_IO 0
#endif
