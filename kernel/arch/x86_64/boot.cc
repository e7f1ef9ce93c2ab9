// x86_64 boot: from the Multiboot2 hand-over to kernel_main.
#include <arch/platform.h>
#include <arch/x86/fpu.h>
#include <arch/x86/pic.h>
#include <arch/x86_64/per_cpu.h>
#include <arch/x86_64/trap_frame.h>
#include <core/boot/parsers.h>
#include <core/console.h>
#include <core/main.h>

namespace {

// Filled before any allocator exists; lives in .bss.
constinit boot::BootInfo g_boot_info;
constinit uint64_t g_mbi_phys = 0;
constinit uint64_t g_mbi_size = 0;

}  // namespace

// Called by start.S in 64-bit mode on the boot stack; the first 4 GiB of
// physical memory are identity-mapped, so the boot information (which GRUB
// places below 4 GiB) is readable at its physical address.
namespace arch {

uint64_t Platform::boot_acpi_rsdp() {
  return g_boot_info.acpi_rsdp;
}

// The Multiboot2 information block (it holds the RSDP copy) stays reserved.
void boot_info_block(uint64_t* phys, uint64_t* size) {
  *phys = g_mbi_phys;
  *size = g_mbi_size;
}

}  // namespace arch

extern "C" [[noreturn]] void x86_64_entry(uint32_t magic, uint32_t info_phys) {
  arch::x86::serial_init();
  arch::x86_64::init_descriptor_tables();
  arch::x86_64::init_this_cpu(0);
  arch::x86::fpu_cpu_init(arch::x86_64::this_cpu().fpu);
  arch::x86::pic_init();
  if (magic != boot::kMultiboot2BootloaderMagic) {
    panic("not started by a Multiboot2 boot loader (EAX = %#x)", magic);
  }
  const auto* info = reinterpret_cast<const uint8_t*>(uintptr_t{info_phys});
  uint32_t total_size = 0;
  lib::read_le(lib::ByteSpan(info, 4), 0, &total_size);
  g_mbi_phys = info_phys;
  g_mbi_size = total_size;
  auto parsed = boot::parse_multiboot2(lib::ByteSpan(info, total_size), info_phys, g_boot_info);
  if (!parsed.ok()) {
    panic("malformed Multiboot2 boot information: %s", mica::status_name(parsed.status()));
  }
  arch::x86::tsc_calibrate();
  kernel_main(g_boot_info);
}
