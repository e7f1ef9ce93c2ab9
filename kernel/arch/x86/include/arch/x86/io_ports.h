// A process's I/O permission bitmap: which of the 65536 x86 I/O ports its
// threads may use with in/out at CPL 3 (IOPL stays 0, so the CPU consults
// the TSS bitmap). Both x86 arches keep one bitmap in each CPU's TSS and load
// the running process's ports into it at every switch (load_io_bitmap).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <lib/result.h>

namespace arch::x86 {

inline constexpr uint32_t kIoPortCount = 0x10000;
// 8 KiB, one bit a port (set = denied), then the byte of ones the CPU needs
// after the bitmap (an access near port 0xffff reads two bytes).
inline constexpr size_t kIoBitmapBytes = kIoPortCount / 8 + 1;

struct IoPorts {
  // Denies every port.
  void init();
  // Allows ports [base, base + count). kInvalidArgs if the range goes past
  // port 0xffff; count 0 allows nothing.
  lib::Result<void> allow(uint32_t base, uint32_t count);
  bool allowed(uint32_t port) const;

  // Bytes at the start of `bitmap` that may hold a clear bit (the rest are
  // all ones): what a switch has to copy.
  uint32_t extent = 0;
  uint8_t bitmap[kIoBitmapBytes];
};

// Makes `tss_bitmap` (kIoBitmapBytes in a TSS) say what `ports` says, or deny
// everything for nullptr. `tss_extent` is the TSS's own count of leading
// bytes that may hold a clear bit (0 after init_tss_io_bitmap); only those
// and the new process's extent are written, so a switch between processes
// without ports costs nothing.
void load_io_bitmap(uint8_t* tss_bitmap, uint32_t& tss_extent, const IoPorts* ports);

// Fills a TSS bitmap with ones (all denied, including the trailing byte).
void init_tss_io_bitmap(uint8_t* tss_bitmap, uint32_t& tss_extent);

}  // namespace arch::x86
