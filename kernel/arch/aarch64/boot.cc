// The C++ half of the AArch64 entry: start.S calls arch_boot on the boot CPU
// at EL1 in the higher half, on the boot page tables (the first GiB of RAM
// and the board's devices reachable through phys_to_virt), .bss zeroed, on
// the boot stack. It brings up the console
// and turns what the Raspberry Pi firmware handed over -- a device tree in
// x0, or failing that the mailbox -- into the BootInfo kernel_main takes.
#include <arch/platform.h>
#include <core/boot/boot_info.h>
#include <core/boot/parsers.h>
#include <core/console.h>
#include <core/main.h>
#include <lib/span.h>
#include <lib/string.h>

#include "mailbox.h"
#include "pl011.h"
#include "secondary.h"

extern "C" [[noreturn]] void arch_boot(uint64_t dtb_phys);

namespace {

// Lives in .bss: there is no allocator yet and it is too big for the stack.
// constinit because nothing runs C++ global constructors.
constinit boot::BootInfo g_boot_info;

// A Pi device tree is some 30 KiB; anything claiming more than this is not
// one we should trust.
constexpr uint32_t kMaxDeviceTreeSize = 1 << 20;
constexpr size_t kFdtHeaderSize = 40;

void set_loader(boot::BootInfo& info, const char* name) {
  info.set_loader(name, lib::strnlen(name, sizeof(info.loader)));
}

// Parses the device tree at `dtb_phys` into `info` and reserves its bytes.
// Returns false, with `info` untouched, if there is no valid tree there.
bool read_device_tree(uint64_t dtb_phys, boot::BootInfo& info) {
  // The firmware passes 0 when it has no tree; a tree is 8-byte aligned.
  if (dtb_phys == 0 || dtb_phys % 8 != 0) return false;
  const uint64_t reachable = arch::Platform::boot_accessible_limit();
  if (dtb_phys + kFdtHeaderSize > reachable) {
    kprintf("mica: device tree at %#llx is beyond the boot mapping; ignored\n",
            static_cast<unsigned long long>(dtb_phys));
    return false;
  }
  const auto* blob = static_cast<const uint8_t*>(arch::Platform::phys_to_virt(dtb_phys));
  // Look at the header before trusting its size: reading past the boot
  // mapping would fault.
  lib::ByteSpan header(blob, kFdtHeaderSize);
  uint32_t magic = 0, total_size = 0;
  lib::read_be(header, 0, &magic);
  lib::read_be(header, 4, &total_size);
  if (magic != boot::kFdtMagic) return false;
  if (total_size < kFdtHeaderSize || total_size > kMaxDeviceTreeSize ||
      dtb_phys + total_size > reachable) {
    kprintf("mica: device tree at %#llx claims %u bytes; ignored\n",
            static_cast<unsigned long long>(dtb_phys), total_size);
    return false;
  }

  lib::Result<void> parsed = boot::parse_fdt(lib::ByteSpan(blob, total_size), info);
  if (!parsed.ok()) {
    kprintf("mica: device tree at %#llx is malformed (%s); ignored\n",
            static_cast<unsigned long long>(dtb_phys), mica::status_name(parsed.status()));
    // Forget whatever the parser added before it gave up.
    info.memory_count = 0;
    info.module_count = 0;
    info.set_cmdline("", 0);
    return false;
  }
  // The tree stays in use (later issues read devices from it): keep it.
  if (!info.add_memory(dtb_phys, total_size, boot::MemoryType::kReserved).ok()) {
    kprintf("mica: memory map full; device tree range not reserved\n");
  }
  set_loader(info, "raspi-firmware (device tree)");
  return true;
}

// The property request: ARM memory, VideoCore memory and, if asked, the
// command line. Each tag is id, value capacity, request/response code, value.
constexpr uint32_t kRequest = 0;
constexpr uint32_t kCmdlineCapacity = boot::BootInfo::kMaxCmdline;
constexpr size_t kMailboxWords = 2 + 2 * (3 + 2) + 3 + kCmdlineCapacity / 4 + 1;
alignas(16) constinit uint32_t g_mailbox_buffer[kMailboxWords];

// Asks the firmware through the mailbox and adds its answer to `info`.
bool query_mailbox(boot::BootInfo& info, bool want_cmdline) {
  uint32_t* b = g_mailbox_buffer;
  size_t n = 2;
  constexpr uint32_t kMemoryTags[] = {boot::kMailboxTagArmMemory, boot::kMailboxTagVcMemory};
  for (uint32_t tag : kMemoryTags) {
    b[n++] = tag;
    b[n++] = 8;  // base, size
    b[n++] = kRequest;
    b[n++] = 0;
    b[n++] = 0;
  }
  if (want_cmdline) {
    b[n++] = boot::kMailboxTagCommandLine;
    b[n++] = kCmdlineCapacity;
    b[n++] = kRequest;
    for (uint32_t i = 0; i < kCmdlineCapacity / 4; ++i) b[n++] = 0;
  }
  b[n++] = 0;  // end tag
  b[0] = static_cast<uint32_t>(n * 4);
  b[1] = kRequest;

  if (!aarch64::mailbox::property_call(b)) {
    kprintf("mica: the firmware did not answer the mailbox\n");
    return false;
  }
  lib::Result<void> parsed =
      boot::parse_mailbox_reply(lib::ByteSpan(reinterpret_cast<const uint8_t*>(b), n * 4), info);
  if (!parsed.ok()) {
    kprintf("mica: bad mailbox reply (%s)\n", mica::status_name(parsed.status()));
    return false;
  }
  return true;
}

}  // namespace

// The cycle counter, for benchmarks (Platform::read_cycle_counter):
// PMCR_EL0.E and .C (reset), PMCNTENSET_EL0.C; PMUSERENR_EL0.CR lets user
// space read it (as RDTSC does on x86), nothing more. Each CPU has its own.
void aarch64::enable_cycle_counter() {
  asm volatile("msr pmcr_el0, %0; msr pmcntenset_el0, %1; msr pmuserenr_el0, %2; isb"
               :
               : "r"(uint64_t{(1 << 0) | (1 << 2)}), "r"(uint64_t{1} << 31), "r"(uint64_t{1} << 2));
}

void arch_boot(uint64_t dtb_phys) {
  aarch64::pl011::init();
  aarch64::enable_cycle_counter();
  boot::BootInfo& info = g_boot_info;

  bool have_tree = read_device_tree(dtb_phys, info);
  // No tree (QEMU without -dtb, or a config.txt with device_tree=), or a tree
  // without /memory: ask the firmware directly. Keep the tree's command line.
  if (!have_tree || info.usable_bytes() == 0) {
    if (query_mailbox(info, info.cmdline[0] == '\0') && !have_tree) {
      set_loader(info, "raspi-firmware (mailbox)");
    }
  }
  kernel_main(info);
}
