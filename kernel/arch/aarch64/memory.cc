// AArch64 kernel address space: the final TTBR1 tables (direct map, the
// kernel image with least rights, the board's device windows), and the
// TTBR0 side that user address spaces will own.
#include <arch/aarch64/layout.h>
#include <arch/aarch64/page_table_format.h>
#include <arch/platform.h>
#include <board/peripherals.h>
#include <core/console.h>

#include "secondary.h"

extern "C" const char __kernel_start[], __kernel_text_start[], __kernel_text_end[];
extern "C" const char __kernel_rodata_start[], __kernel_rodata_end[];
extern "C" const char __kernel_data_start[], __boot_stack_guard[], __boot_stack_top[];
extern "C" const char __secondary_stacks_start[], __kernel_end[];

namespace arch {
namespace {

using Table = mm::PageTable<aarch64::PageTableFormat>;

// SCTLR_EL1.WXN: every writable page is also execute-never, whatever its
// descriptor says (a second line of defence for W^X).
constexpr uint64_t kSctlrWxn = uint64_t{1} << 19;

constinit uint64_t g_kernel_root = 0;

// TTBR0's table while no user address space is active: all entries invalid.
alignas(4096) constinit uint64_t g_empty_table[512] = {};

uint64_t address(const char* symbol) {
  return reinterpret_cast<uint64_t>(symbol);
}

// The image's physical range. (The linker's __kernel_physical_* symbols are
// out of reach of the higher half's PC-relative addressing.)
uint64_t image_physical_start() {
  return address(__kernel_start) - KERNEL_VIRTUAL_BASE;
}
uint64_t image_physical_end() {
  return address(__kernel_end) - KERNEL_VIRTUAL_BASE;
}

// Makes the new tables visible to the walker, loads TTBR1 and drops every
// TLB entry of the boot tables.
void switch_kernel_tables(uint64_t root) {
  asm volatile(
      "dsb ishst\n"
      "msr ttbr1_el1, %0\n"
      "isb\n"
      "tlbi vmalle1is\n"
      "dsb ish\n"
      "isb\n"
      :
      : "r"(root)
      : "memory");
}

}  // namespace

uint64_t Platform::kernel_root() {
  return g_kernel_root;
}

size_t Platform::boot_reservations(mm::Reservation* out, size_t max) {
  mm::Reservation all[] = {
      // The firmware's spin tables and stub live in the first page; the rest
      // below the kernel is kept for the secondary cores' start-up.
      {0, image_physical_start(), "firmware and spin tables"},
      {image_physical_start(), image_physical_end() - image_physical_start(), "kernel image"},
  };
  size_t n = 0;
  for (const auto& r : all) {
    if (n < max) out[n++] = r;
  }
  return n;
}

lib::Result<uint64_t> Platform::init_kernel_address_space(mm::FrameSource& frames,
                                                          const boot::BootInfo& info) {
  Table table(frames, TRY(Table::create_root(frames)));

  // Direct map: all RAM, read-write, never executable, without the image
  // and without the firmware's pages below it. Leaving physical [0, image)
  // out (the spin tables; SMP bring-up maps them with mm::map_physical) also
  // makes phys_to_virt(0) fault, and with it virtual 0 as the TTBR1 root
  // sees it: the root's slot 0 is the direct map, so an index computed from
  // virtual 0 lands on DIRECT_MAP_BASE.
  uint64_t image_end = image_physical_end();
  mm::PhysicalRange ranges[boot::BootInfo::kMaxMemoryRanges];
  size_t count = TRY(mm::direct_map_ranges(info, DIRECT_MAP_SIZE, 0, image_end, ranges,
                                           boot::BootInfo::kMaxMemoryRanges));
  uint64_t highest = 0;
  for (size_t i = 0; i < count; ++i) {
    TRY(table.map_range_large(DIRECT_MAP_BASE + ranges[i].base, ranges[i].base, ranges[i].size,
                              mm::Permissions::read_write()));
    highest = ranges[i].base + ranges[i].size;
  }

  // The board's peripherals, Device-nGnRE at the same offset (the early
  // drivers' addresses stay valid across the switch).
  for (const board::DeviceRange& range : board::kDeviceRanges) {
    TRY(table.map_range_large(DIRECT_MAP_BASE + range.base, range.base, range.size,
                              {.write = true, .device = true}));
  }

  // The image: text read+execute, rodata read-only, data and bss read-write,
  // the boot stack read-write above an unmapped guard page.
  TRY(table.map_image_range(__kernel_text_start, __kernel_text_end, KERNEL_VIRTUAL_BASE,
                            mm::Permissions::read_execute()));
  TRY(table.map_image_range(__kernel_rodata_start, __kernel_rodata_end, KERNEL_VIRTUAL_BASE,
                            mm::Permissions::read_only()));
  TRY(table.map_image_range(__kernel_data_start, __boot_stack_guard, KERNEL_VIRTUAL_BASE,
                            mm::Permissions::read_write()));
  TRY(table.map_image_range(__boot_stack_guard + mm::kPageSize, __boot_stack_top,
                            KERNEL_VIRTUAL_BASE, mm::Permissions::read_write()));
  for (unsigned i = 0; i < SECONDARY_STACK_COUNT; ++i) {
    const char* guard = __secondary_stacks_start + i * SECONDARY_STACK_SLOT;
    TRY(table.map_image_range(guard + mm::kPageSize, guard + SECONDARY_STACK_SLOT,
                              KERNEL_VIRTUAL_BASE, mm::Permissions::read_write()));
  }

  // The kernel area's level 1 table exists from now on (mm::map_physical
  // fills it).
  TRY(table.ensure_root_slot(KERNEL_AREA_BASE));

  g_kernel_root = table.root();
  ::aarch64::enter_kernel_address_space();

  kprintf(
      "mica: kernel address space: direct map of %llu MiB at %#llx, image W^X, "
      "boot stack guard pages at %p (CPU 0) and from %p every %u KiB\n",
      static_cast<unsigned long long>(highest >> 20),
      static_cast<unsigned long long>(DIRECT_MAP_BASE), __boot_stack_guard,
      __secondary_stacks_start, SECONDARY_STACK_SLOT / 1024);
  return highest;
}

lib::Result<uint64_t> Platform::new_user_root(mm::FrameSource& frames) {
  return frames.allocate_table();  // zeroed: no user mappings yet
}

void Platform::activate_kernel_address_space() {
  uint64_t ttbr0 = virt_to_phys(g_empty_table);  // ASID 0
  asm volatile("msr ttbr0_el1, %0; isb" : : "r"(ttbr0) : "memory");
}

uint32_t Platform::asid_count() {
  uint64_t mmfr0;
  asm volatile("mrs %0, id_aa64mmfr0_el1" : "=r"(mmfr0));
  return ((mmfr0 >> 4) & 0xf) == 2 ? 65536 : 256;
}

}  // namespace arch

namespace aarch64 {

void enter_kernel_address_space() {
  arch::switch_kernel_tables(arch::g_kernel_root);
  // The boot identity map goes: lower-half accesses (null pointers) fault.
  arch::Platform::activate_kernel_address_space();
  uint64_t sctlr;
  asm volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
  asm volatile("msr sctlr_el1, %0; isb; tlbi vmalle1; dsb nsh; isb"
               :
               : "r"(sctlr | arch::kSctlrWxn)
               : "memory");
}

}  // namespace aarch64
