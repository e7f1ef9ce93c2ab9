// BootInfo: the one description of the machine that every arch entry hands to
// kernel_main, whatever the boot loader spoke (Multiboot2, Multiboot, or the
// Raspberry Pi firmware's device tree / mailbox). Fixed-size: it is filled
// before any allocator exists.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <lib/result.h>

namespace boot {

enum class MemoryType : uint8_t {
  kUsable,
  kReserved,
  kAcpiReclaimable,
  kAcpiNvs,
  kBad,
};

const char* memory_type_name(MemoryType type);

struct MemoryRange {
  uint64_t base;
  uint64_t size;
  MemoryType type;
};

struct BootModule {
  uint64_t base;  // physical
  uint64_t size;
  char name[64];  // the loader's string for it, e.g. "ramdisk"
};

struct Framebuffer {
  uint64_t address = 0;  // physical; 0 when there is none
  uint32_t pitch = 0;
  uint32_t width = 0;
  uint32_t height = 0;
  uint8_t bpp = 0;
  uint8_t type = 0;  // 0 indexed, 1 RGB, 2 EGA text (Multiboot2 numbering)
};

struct BootInfo {
  static constexpr size_t kMaxMemoryRanges = 128;
  static constexpr size_t kMaxModules = 16;
  static constexpr size_t kMaxCmdline = 1024;

  MemoryRange memory[kMaxMemoryRanges] = {};
  size_t memory_count = 0;
  BootModule modules[kMaxModules] = {};
  size_t module_count = 0;
  char cmdline[kMaxCmdline] = {};
  char loader[64] = {};  // "GRUB 2.06", "raspi-firmware", ...
  Framebuffer framebuffer;
  uint64_t acpi_rsdp = 0;  // physical address of the RSDP copy, 0 if none
  bool cmdline_truncated = false;

  // Appends a range; ENOSPC if the table is full. Zero-sized ranges are dropped.
  lib::Result<void> add_memory(uint64_t base, uint64_t size, MemoryType type);
  // Appends a module; ENOSPC if the table is full. The name is truncated to fit.
  lib::Result<void> add_module(uint64_t base, uint64_t size, const char* name, size_t name_len);
  // Sets the command line from `length` bytes (stops at a NUL), truncating.
  void set_cmdline(const char* text, size_t length);
  void set_loader(const char* text, size_t length);

  // Sum of the sizes of usable ranges.
  uint64_t usable_bytes() const;
};

}  // namespace boot
