// Multiboot2 boot information (Multiboot2 specification, section 3.6).
#include <core/boot/parsers.h>

namespace boot {
namespace {

enum TagType : uint32_t {
  kTagEnd = 0,
  kTagCmdline = 1,
  kTagLoaderName = 2,
  kTagModule = 3,
  kTagMemoryMap = 6,
  kTagFramebuffer = 8,
  kTagAcpiOld = 14,
  kTagAcpiNew = 15,
};

MemoryType multiboot_memory_type(uint32_t type) {
  switch (type) {
    case 1:
      return MemoryType::kUsable;
    case 3:
      return MemoryType::kAcpiReclaimable;
    case 4:
      return MemoryType::kAcpiNvs;
    case 5:
      return MemoryType::kBad;
    default:
      return MemoryType::kReserved;
  }
}

lib::Result<void> parse_memory_map(lib::ByteSpan tag, BootInfo& out) {
  uint32_t entry_size = 0;
  if (!lib::read_le(tag, 8, &entry_size)) return lib::Status::kTruncated;
  if (entry_size < 24 || entry_size % 8 != 0) return lib::Status::kBadFormat;
  for (size_t offset = 16; offset + entry_size <= tag.size(); offset += entry_size) {
    uint64_t base = 0, length = 0;
    uint32_t type = 0;
    lib::read_le(tag, offset, &base);
    lib::read_le(tag, offset + 8, &length);
    lib::read_le(tag, offset + 16, &type);
    TRY(out.add_memory(base, length, multiboot_memory_type(type)));
  }
  return {};
}

}  // namespace

lib::Result<void> parse_multiboot2(lib::ByteSpan info, uint64_t info_phys, BootInfo& out) {
  uint32_t total_size = 0;
  if (!lib::read_le(info, 0, &total_size)) return lib::Status::kTruncated;
  if (total_size < 16) return lib::Status::kBadFormat;  // header + end tag
  if (total_size > info.size()) return lib::Status::kTruncated;
  lib::ByteSpan block = info.subspan(0, total_size);

  size_t offset = 8;
  while (true) {
    uint32_t type = 0, size = 0;
    if (!lib::read_le(block, offset, &type) || !lib::read_le(block, offset + 4, &size)) {
      return lib::Status::kTruncated;  // ran off the end without an end tag
    }
    if (size < 8) return lib::Status::kBadFormat;
    lib::ByteSpan tag = block.subspan(offset, size);
    if (tag.empty()) return lib::Status::kTruncated;
    auto text = [&tag](size_t from) { return reinterpret_cast<const char*>(tag.data() + from); };

    switch (type) {
      case kTagEnd:
        return {};
      case kTagCmdline:
        out.set_cmdline(text(8), size - 8);
        break;
      case kTagLoaderName:
        out.set_loader(text(8), size - 8);
        break;
      case kTagModule: {
        uint32_t start = 0, end = 0;
        if (!lib::read_le(tag, 8, &start) || !lib::read_le(tag, 12, &end)) {
          return lib::Status::kTruncated;
        }
        if (end < start) return lib::Status::kBadFormat;
        TRY(out.add_module(start, end - start, text(16), size - 16));
        break;
      }
      case kTagMemoryMap:
        TRY(parse_memory_map(tag, out));
        break;
      case kTagFramebuffer: {
        Framebuffer& fb = out.framebuffer;
        if (!lib::read_le(tag, 8, &fb.address) || !lib::read_le(tag, 16, &fb.pitch) ||
            !lib::read_le(tag, 20, &fb.width) || !lib::read_le(tag, 24, &fb.height) ||
            !lib::read_le(tag, 28, &fb.bpp) || !lib::read_le(tag, 29, &fb.type)) {
          fb = Framebuffer{};
          return lib::Status::kTruncated;
        }
        break;
      }
      case kTagAcpiOld:
      case kTagAcpiNew:
        // Prefer the ACPI 2.0+ RSDP when both are present.
        if (out.acpi_rsdp == 0 || type == kTagAcpiNew) out.acpi_rsdp = info_phys + offset + 8;
        break;
      default:
        break;  // tags we do not use are skipped, as the specification asks
    }
    offset += (size + 7) & ~size_t{7};
  }
}

}  // namespace boot
