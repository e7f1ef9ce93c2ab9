// Multiboot (version 0.6.96) boot information, as GRUB's `multiboot` command
// and QEMU's -kernel hand it to a 32-bit kernel.
#include <core/boot/parsers.h>

namespace boot {
namespace {

enum Flags : uint32_t {
  kFlagMemory = 1u << 0,
  kFlagCmdline = 1u << 2,
  kFlagModules = 1u << 3,
  kFlagMemoryMap = 1u << 6,
  kFlagLoaderName = 1u << 9,
  kFlagFramebuffer = 1u << 12,
};

constexpr size_t kInfoSize = 116;
constexpr size_t kMaxString = 1024;
constexpr uint32_t kMaxModuleEntries = 256;

// Copies a NUL-terminated string found at `phys` (at most kMaxString bytes).
template <typename Setter>
void read_string(const PhysicalView& memory, uint32_t phys, Setter set) {
  lib::ByteSpan bytes = memory.view(phys, kMaxString);
  set(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

}  // namespace

lib::Result<void> parse_multiboot(uint64_t info_phys, const PhysicalView& memory, BootInfo& out) {
  lib::ByteSpan info = memory.view(info_phys, kInfoSize);
  uint32_t flags = 0;
  if (!lib::read_le(info, 0, &flags)) return lib::Status::kTruncated;
  auto field = [&info](size_t offset, uint32_t* value) {
    return lib::read_le(info, offset, value);
  };

  if (flags & kFlagCmdline) {
    uint32_t cmdline = 0;
    if (!field(16, &cmdline)) return lib::Status::kTruncated;
    read_string(memory, cmdline, [&out](const char* s, size_t n) { out.set_cmdline(s, n); });
  }
  if (flags & kFlagLoaderName) {
    uint32_t name = 0;
    if (!field(64, &name)) return lib::Status::kTruncated;
    read_string(memory, name, [&out](const char* s, size_t n) { out.set_loader(s, n); });
  }

  if (flags & kFlagMemoryMap) {
    uint32_t length = 0, address = 0;
    if (!field(44, &length) || !field(48, &address)) return lib::Status::kTruncated;
    lib::ByteSpan map = memory.view(address, length);
    if (map.size() != length) return lib::Status::kTruncated;
    size_t offset = 0;
    while (offset < map.size()) {
      uint32_t size = 0, type = 0;
      uint64_t base = 0, bytes = 0;
      if (!lib::read_le(map, offset, &size)) return lib::Status::kTruncated;
      if (size < 20) return lib::Status::kBadFormat;
      if (!lib::read_le(map, offset + 4, &base) || !lib::read_le(map, offset + 12, &bytes) ||
          !lib::read_le(map, offset + 20, &type)) {
        return lib::Status::kTruncated;
      }
      MemoryType kind = type == 1   ? MemoryType::kUsable
                        : type == 3 ? MemoryType::kAcpiReclaimable
                        : type == 4 ? MemoryType::kAcpiNvs
                        : type == 5 ? MemoryType::kBad
                                    : MemoryType::kReserved;
      TRY(out.add_memory(base, bytes, kind));
      offset += size_t{size} + 4;
    }
  } else if (flags & kFlagMemory) {
    // No map: fall back to the two basic sizes (KiB below 1 MiB and above it).
    uint32_t lower = 0, upper = 0;
    if (!field(4, &lower) || !field(8, &upper)) return lib::Status::kTruncated;
    TRY(out.add_memory(0, uint64_t{lower} * 1024, MemoryType::kUsable));
    TRY(out.add_memory(0x100000, uint64_t{upper} * 1024, MemoryType::kUsable));
  }

  if (flags & kFlagModules) {
    uint32_t count = 0, address = 0;
    if (!field(20, &count) || !field(24, &address)) return lib::Status::kTruncated;
    if (count > kMaxModuleEntries) return lib::Status::kBadFormat;
    lib::ByteSpan table = memory.view(address, size_t{count} * 16);
    if (table.size() != size_t{count} * 16) return lib::Status::kTruncated;
    for (uint32_t i = 0; i < count; ++i) {
      uint32_t start = 0, end = 0, name = 0;
      lib::read_le(table, i * 16, &start);
      lib::read_le(table, i * 16 + 4, &end);
      lib::read_le(table, i * 16 + 8, &name);
      if (end < start) return lib::Status::kBadFormat;
      lib::ByteSpan text = name != 0 ? memory.view(name, kMaxString) : lib::ByteSpan();
      TRY(out.add_module(start, end - start, reinterpret_cast<const char*>(text.data()),
                         text.size()));
    }
  }

  if (flags & kFlagFramebuffer) {
    Framebuffer& fb = out.framebuffer;
    if (!lib::read_le(info, 88, &fb.address) || !field(96, &fb.pitch) || !field(100, &fb.width) ||
        !field(104, &fb.height) || !lib::read_le(info, 108, &fb.bpp) ||
        !lib::read_le(info, 109, &fb.type)) {
      fb = Framebuffer{};
      return lib::Status::kTruncated;
    }
  }
  return {};
}

}  // namespace boot
