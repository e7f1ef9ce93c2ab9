#include <arch/x86/acpi.h>
#include <lib/span.h>

namespace arch::x86::acpi {
namespace {

constexpr size_t kHeaderSize = 36;

bool checksum_ok(lib::ByteSpan bytes) {
  uint8_t sum = 0;
  for (uint8_t b : bytes) sum = static_cast<uint8_t>(sum + b);
  return sum == 0;
}

bool has_signature(lib::ByteSpan bytes, const char* signature, size_t length) {
  if (bytes.size() < length) return false;
  for (size_t i = 0; i < length; ++i) {
    if (bytes[i] != static_cast<uint8_t>(signature[i])) return false;
  }
  return true;
}

// A whole table at `phys`, checked: its header, its length, its checksum.
lib::Result<lib::ByteSpan> read_table(const boot::PhysicalView& memory, uint64_t phys,
                                      const char* signature) {
  lib::ByteSpan header = memory.view(phys, kHeaderSize);
  uint32_t length = 0;
  if (!lib::read_le(header, 4, &length) || header.size() < kHeaderSize) {
    return lib::Status::kTruncated;
  }
  if (signature != nullptr && !has_signature(header, signature, 4)) {
    return lib::Status::kBadFormat;
  }
  if (length < kHeaderSize) return lib::Status::kBadFormat;
  lib::ByteSpan table = memory.view(phys, length);
  if (table.size() != length) return lib::Status::kTruncated;
  if (!checksum_ok(table)) return lib::Status::kBadFormat;
  return table;
}

lib::Result<uint64_t> scan(const boot::PhysicalView& memory, uint64_t base, size_t length) {
  lib::ByteSpan area = memory.view(base, length);
  for (size_t offset = 0; offset + 20 <= area.size(); offset += 16) {
    lib::ByteSpan candidate = area.subspan(offset, 20);
    if (has_signature(candidate, "RSD PTR ", 8) && checksum_ok(candidate)) return base + offset;
  }
  return lib::Status::kNotFound;
}

}  // namespace

lib::Result<uint64_t> find_rsdp(const boot::PhysicalView& memory) {
  uint16_t ebda_segment = 0;
  if (lib::read_le(memory.view(0x40e, 2), 0, &ebda_segment) && ebda_segment != 0) {
    auto found = scan(memory, uint64_t{ebda_segment} << 4, 1024);
    if (found.ok()) return found;
  }
  return scan(memory, 0xe0000, 0x20000);
}

lib::Result<Madt> read_madt(uint64_t rsdp_phys, const boot::PhysicalView& memory) {
  lib::ByteSpan rsdp = memory.view(rsdp_phys, 36);
  if (rsdp.size() < 20 || !has_signature(rsdp, "RSD PTR ", 8)) return lib::Status::kBadFormat;
  if (!checksum_ok(rsdp.subspan(0, 20))) return lib::Status::kBadFormat;
  uint8_t revision = rsdp[15];
  uint32_t rsdt = 0;
  uint64_t xsdt = 0;
  lib::read_le(rsdp, 16, &rsdt);
  if (revision >= 2 && rsdp.size() == 36 && checksum_ok(rsdp)) lib::read_le(rsdp, 24, &xsdt);

  lib::ByteSpan root;
  size_t entry_size;
  if (xsdt != 0) {
    root = TRY(read_table(memory, xsdt, "XSDT"));
    entry_size = 8;
  } else {
    root = TRY(read_table(memory, rsdt, "RSDT"));
    entry_size = 4;
  }

  for (size_t offset = kHeaderSize; offset + entry_size <= root.size(); offset += entry_size) {
    uint64_t phys = 0;
    if (entry_size == 8) {
      lib::read_le(root, offset, &phys);
    } else {
      uint32_t phys32 = 0;
      lib::read_le(root, offset, &phys32);
      phys = phys32;
    }
    lib::ByteSpan header = memory.view(phys, 4);
    if (!has_signature(header, "APIC", 4)) continue;
    lib::ByteSpan table = TRY(read_table(memory, phys, "APIC"));

    Madt madt;
    uint32_t lapic = 0, flags = 0;
    if (!lib::read_le(table, 36, &lapic) || !lib::read_le(table, 40, &flags)) {
      return lib::Status::kTruncated;
    }
    madt.local_apic_address = lapic;
    madt.has_8259 = (flags & 1) != 0;
    size_t at = 44;
    while (at + 2 <= table.size()) {
      uint8_t type = table[at], length = table[at + 1];
      if (length < 2 || at + length > table.size()) return lib::Status::kBadFormat;
      lib::ByteSpan entry = table.subspan(at, length);
      switch (type) {
        case 0: {  // processor local APIC
          uint32_t enabled = 0;
          if (length < 8) return lib::Status::kBadFormat;
          lib::read_le(entry, 4, &enabled);
          // Bit 0 enabled, bit 1 online-capable (ACPI 6.3).
          if ((enabled & 3) != 0 && madt.cpu_count < kMaxCpus) {
            madt.apic_ids[madt.cpu_count++] = entry[3];
          }
          break;
        }
        case 1: {  // I/O APIC
          if (length < 12) return lib::Status::kBadFormat;
          if (madt.io_apic_count < kMaxIoApics) {
            IoApic& io = madt.io_apics[madt.io_apic_count++];
            io.id = entry[2];
            lib::read_le(entry, 4, &io.address);
            lib::read_le(entry, 8, &io.gsi_base);
          }
          break;
        }
        case 2: {  // interrupt source override
          if (length < 10) return lib::Status::kBadFormat;
          if (madt.override_count < kMaxOverrides) {
            Override& o = madt.overrides[madt.override_count++];
            o.irq = entry[3];
            lib::read_le(entry, 4, &o.gsi);
            lib::read_le(entry, 8, &o.flags);
          }
          break;
        }
        case 5: {  // 64-bit local APIC address override
          if (length < 12) return lib::Status::kBadFormat;
          lib::read_le(entry, 4, &madt.local_apic_address);
          break;
        }
        default:
          break;
      }
      at += length;
    }
    return madt;
  }
  return lib::Status::kNotFound;
}

}  // namespace arch::x86::acpi
