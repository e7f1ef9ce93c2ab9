// Memory-mapped register access for the arch layer's early drivers.
//
// The MMU is off, so every data access is Device-nGnRnE: accesses to one
// peripheral arrive in program order without barriers. Accesses are always
// naturally aligned 32-bit, as the BCM283x peripherals require.
#pragma once

#include <stdint.h>

namespace aarch64 {

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
