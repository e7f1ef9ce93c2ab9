// ACPI tables, as far as the kernel needs them: the MADT (CPUs, local APIC,
// I/O APICs, interrupt overrides). Tables are read through a
// boot::PhysicalView, so the parser is host-tested over fake memory and the
// kernel backs it with mappings of the firmware's memory. Every table's
// length and checksum are checked before it is trusted.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <core/boot/parsers.h>
#include <lib/result.h>

namespace arch::x86::acpi {

inline constexpr size_t kMaxCpus = 64;
inline constexpr size_t kMaxIoApics = 8;
inline constexpr size_t kMaxOverrides = 16;

struct IoApic {
  uint8_t id;
  uint32_t address;
  uint32_t gsi_base;
};

// An ISA IRQ delivered on another global system interrupt.
struct Override {
  uint8_t irq;
  uint32_t gsi;
  uint16_t flags;  // MPS INTI flags: polarity bits 0-1, trigger mode bits 2-3
};

struct Madt {
  uint64_t local_apic_address = 0;
  bool has_8259 = false;
  size_t cpu_count = 0;  // enabled (or online-capable) processors
  uint8_t apic_ids[kMaxCpus] = {};
  size_t io_apic_count = 0;
  IoApic io_apics[kMaxIoApics] = {};
  size_t override_count = 0;
  Override overrides[kMaxOverrides] = {};
};

// Finds the RSDP in the BIOS areas (the EBDA's first KiB, 0xE0000-0xFFFFF),
// for boot loaders that do not pass it. kNotFound if absent.
lib::Result<uint64_t> find_rsdp(const boot::PhysicalView& memory);

// Follows RSDP -> XSDT (or RSDT) -> "APIC". kNotFound if there is no MADT;
// kBadFormat on a bad signature or checksum; kTruncated if a table's length
// runs past readable memory.
lib::Result<Madt> read_madt(uint64_t rsdp_phys, const boot::PhysicalView& memory);

}  // namespace arch::x86::acpi
