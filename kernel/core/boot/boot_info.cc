#include <core/boot/boot_info.h>

namespace boot {
namespace {

void copy_bounded(char* dst, size_t cap, const char* src, size_t length, bool* truncated) {
  size_t n = 0;
  while (n < length && src[n] != '\0') ++n;
  bool cut = n > cap - 1;
  if (cut) n = cap - 1;
  for (size_t i = 0; i < n; ++i) dst[i] = src[i];
  dst[n] = '\0';
  if (truncated != nullptr) *truncated = cut;
}

}  // namespace

const char* memory_type_name(MemoryType type) {
  switch (type) {
    case MemoryType::kUsable:
      return "usable";
    case MemoryType::kReserved:
      return "reserved";
    case MemoryType::kAcpiReclaimable:
      return "acpi-reclaimable";
    case MemoryType::kAcpiNvs:
      return "acpi-nvs";
    case MemoryType::kBad:
      return "bad";
  }
  return "unknown";
}

lib::Result<void> BootInfo::add_memory(uint64_t base, uint64_t size, MemoryType type) {
  if (size == 0) return {};
  if (memory_count == kMaxMemoryRanges) return lib::Status::kNoSpace;
  // A range that wraps past the top of the address space is clipped.
  if (base + size < base) size = 0 - base;
  memory[memory_count++] = MemoryRange{base, size, type};
  return {};
}

lib::Result<void> BootInfo::add_module(uint64_t base, uint64_t size, const char* name,
                                       size_t name_len) {
  if (module_count == kMaxModules) return lib::Status::kNoSpace;
  BootModule& module = modules[module_count++];
  module.base = base;
  module.size = size;
  copy_bounded(module.name, sizeof(module.name), name, name_len, nullptr);
  return {};
}

void BootInfo::set_cmdline(const char* text, size_t length) {
  copy_bounded(cmdline, sizeof(cmdline), text, length, &cmdline_truncated);
}

void BootInfo::set_loader(const char* text, size_t length) {
  copy_bounded(loader, sizeof(loader), text, length, nullptr);
}

uint64_t BootInfo::usable_bytes() const {
  uint64_t total = 0;
  for (size_t i = 0; i < memory_count; ++i) {
    if (memory[i].type == MemoryType::kUsable) total += memory[i].size;
  }
  return total;
}

}  // namespace boot
