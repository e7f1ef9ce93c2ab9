// Parsers that turn what a boot loader hands over into a BootInfo.
//
// All of them treat their input as untrusted: every read is bounds-checked
// against both the size the structure claims and the bytes actually available,
// and malformed input yields an error (kTruncated, kBadFormat) rather than a
// read out of bounds. They are arch-free and unit-tested on the host.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <core/boot/boot_info.h>
#include <lib/result.h>
#include <lib/span.h>

namespace boot {

inline constexpr uint32_t kMultiboot2BootloaderMagic = 0x36d76289;
inline constexpr uint32_t kMultibootBootloaderMagic = 0x2badb002;
inline constexpr uint32_t kFdtMagic = 0xd00dfeed;

// Multiboot2 boot information. `info` is the whole block (its first word is
// total_size); `info_phys` is its physical address, used to report where the
// ACPI RSDP copy lives.
lib::Result<void> parse_multiboot2(lib::ByteSpan info, uint64_t info_phys, BootInfo& out);

// Multiboot (version 1) boot information refers to other structures by
// physical address, so the parser reads memory through a PhysicalView. view()
// returns the accessible prefix of [phys, phys + length) — possibly empty —
// and never more than `length` bytes.
class PhysicalView {
 public:
  virtual lib::ByteSpan view(uint64_t phys, size_t length) const = 0;

 protected:
  ~PhysicalView() = default;
};

lib::Result<void> parse_multiboot(uint64_t info_phys, const PhysicalView& memory, BootInfo& out);

// A flattened device tree (DTB) as passed by the Raspberry Pi firmware:
// /memory reg, /chosen bootargs and linux,initrd-start/-end, and the memory
// reservation block.
lib::Result<void> parse_fdt(lib::ByteSpan blob, BootInfo& out);

// A VideoCore mailbox property-channel reply buffer: ARM and VideoCore memory
// and the command line.
lib::Result<void> parse_mailbox_reply(lib::ByteSpan buffer, BootInfo& out);

// Mailbox tags understood by parse_mailbox_reply.
inline constexpr uint32_t kMailboxTagArmMemory = 0x00010005;
inline constexpr uint32_t kMailboxTagVcMemory = 0x00010006;
inline constexpr uint32_t kMailboxTagCommandLine = 0x00050001;

}  // namespace boot
