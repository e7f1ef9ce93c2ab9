// Memory-mapped register access for the arch layer's early drivers.
//
// The board's peripheral windows are mapped Device-nGnRE in the direct map
// (layout.h), from the boot page tables on: a register at physical P is at
// DIRECT_MAP_BASE + P (device()). Device accesses to one peripheral arrive in
// program order without barriers; ordering against Normal memory (a buffer a
// device reads) needs data_sync_barrier(). Accesses are always naturally
// aligned 32-bit, as the BCM283x/2711 peripherals require.
#pragma once

#include <stdint.h>

#include <arch/aarch64/layout.h>

namespace aarch64 {

// The virtual address of the device register at physical `phys`.
constexpr uintptr_t device(uintptr_t phys) {
  return DIRECT_MAP_BASE + phys;
}

inline uint32_t mmio_read32(uintptr_t address) {
  return *reinterpret_cast<volatile uint32_t*>(address);
}

inline void mmio_write32(uintptr_t address, uint32_t value) {
  *reinterpret_cast<volatile uint32_t*>(address) = value;
}

// Full-system data synchronization barrier; also a compiler barrier, so
// memory another bus master (the VideoCore) reads or writes is not cached in
// registers across it.
inline void data_sync_barrier() {
  asm volatile("dsb sy" ::: "memory");
}

}  // namespace aarch64
