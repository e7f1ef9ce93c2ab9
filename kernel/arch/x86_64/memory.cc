// x86_64 kernel address space: the direct map, the kernel image with least
// rights, and the fixed kernel half shared by every address space.
#include <arch/platform.h>
#include <arch/x86_64/layout.h>
#include <arch/x86_64/page_table_format.h>
#include <core/console.h>
#include <mica/config.h>

extern "C" const char __kernel_physical_start[], __kernel_physical_end[];
extern "C" const char __kernel_text_start[], __kernel_text_end[];
extern "C" const char __kernel_rodata_start[], __kernel_rodata_end[];
extern "C" const char __kernel_data_start[], __boot_stack_guard[], __kernel_end[];

namespace arch {
namespace {

constinit uint64_t g_kernel_root = 0;

using Table = mm::PageTable<x86_64::PageTableFormat>;

uint64_t address(const char* symbol) {
  return reinterpret_cast<uint64_t>(symbol);
}

}  // namespace

namespace x86_64 {
size_t ap_stack_guards(uint64_t* out, size_t max);
}  // namespace x86_64

uint64_t Platform::kernel_root() {
  return g_kernel_root;
}

lib::Result<uint64_t> Platform::new_user_root(mm::FrameSource& frames) {
  uint64_t root = TRY(frames.allocate_table());
  auto* entries = static_cast<uint64_t*>(frames.table_pointer(root));
  const auto* kernel = static_cast<const uint64_t*>(frames.table_pointer(g_kernel_root));
  for (unsigned slot = kUserSlotEnd; slot < 512; ++slot) entries[slot] = kernel[slot];
  return root;
}

void* Platform::phys_to_virt(uint64_t phys) {
  return reinterpret_cast<void*>(phys + DIRECT_MAP_BASE);
}

uint64_t Platform::virt_to_phys(const void* virt) {
  uint64_t a = reinterpret_cast<uint64_t>(virt);
  return a >= KERNEL_VIRTUAL_BASE ? a - KERNEL_VIRTUAL_BASE : a - DIRECT_MAP_BASE;
}

uint64_t Platform::boot_accessible_limit() {
  return BOOT_DIRECT_MAP_LIMIT;
}

void boot_info_block(uint64_t* phys, uint64_t* size);

size_t Platform::boot_reservations(mm::Reservation* out, size_t max) {
  uint64_t mbi_phys, mbi_size;
  boot_info_block(&mbi_phys, &mbi_size);
  mm::Reservation all[] = {
      {mbi_phys, mbi_size, "Multiboot2 information"},
      // Real-mode memory: the IVT, BIOS data, EBDA, option ROMs; the first
      // megabyte also keeps a page for the application processors'
      // start-up code (SMP).
      {0, 0x100000, "low memory"},
      {address(__kernel_physical_start),
       address(__kernel_physical_end) - address(__kernel_physical_start), "kernel image"},
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

  // Direct map: all RAM, read-write, never executable, without the image.
  uint64_t image_base = address(__kernel_physical_start);
  uint64_t image_size = address(__kernel_physical_end) - image_base;
  mm::PhysicalRange ranges[boot::BootInfo::kMaxMemoryRanges];
  constexpr uint64_t kDirectMapLimit = KERNEL_AREA_BASE - DIRECT_MAP_BASE;
  size_t count = TRY(mm::direct_map_ranges(info, kDirectMapLimit, image_base, image_size, ranges,
                                           boot::BootInfo::kMaxMemoryRanges));
  uint64_t highest = 0;
  for (size_t i = 0; i < count; ++i) {
    TRY(table.map_range_large(DIRECT_MAP_BASE + ranges[i].base, ranges[i].base, ranges[i].size,
                              mm::Permissions::read_write()));
    highest = ranges[i].base + ranges[i].size;
  }

  // The image: text read+execute, rodata read-only, data and bss read-write,
  // the boot stack read-write above an unmapped guard page.
  TRY(table.map_image_range(__kernel_text_start, __kernel_text_end, KERNEL_VIRTUAL_BASE,
                            mm::Permissions::read_execute()));
  TRY(table.map_image_range(__kernel_rodata_start, __kernel_rodata_end, KERNEL_VIRTUAL_BASE,
                            mm::Permissions::read_only()));
  // Data and bss hold the APs' boot stacks, each above a guard page that stays
  // unmapped (the guards are in address order).
  uint64_t guards[mica::config::kMaxCpus];
  size_t guard_count = x86_64::ap_stack_guards(guards, mica::config::kMaxCpus);
  const char* from = __kernel_data_start;
  for (size_t i = 0; i < guard_count; ++i) {
    const char* guard = reinterpret_cast<const char*>(guards[i]);
    TRY(table.map_image_range(from, guard, KERNEL_VIRTUAL_BASE, mm::Permissions::read_write()));
    from = guard + mm::kPageSize;
  }
  TRY(table.map_image_range(from, __boot_stack_guard, KERNEL_VIRTUAL_BASE,
                            mm::Permissions::read_write()));
  TRY(table.map_image_range(__boot_stack_guard + mm::kPageSize, __kernel_end, KERNEL_VIRTUAL_BASE,
                            mm::Permissions::read_write()));

  // The kernel half's root entries are created now and never change, so
  // every address space shares them by copying slots 256..511 of this root.
  TRY(table.ensure_root_slot(KERNEL_AREA_BASE));
  for (uint64_t slot = DIRECT_MAP_BASE; slot < DIRECT_MAP_BASE + highest; slot += Table::span(3)) {
    TRY(table.ensure_root_slot(slot));
  }

  g_kernel_root = table.root();
  asm volatile("mov %0, %%cr3" : : "r"(table.root()) : "memory");
  kprintf(
      "mica: kernel address space: direct map of %llu MiB at %#llx, image W^X, "
      "boot stack guard page at %p\n",
      static_cast<unsigned long long>(highest >> 20),
      static_cast<unsigned long long>(DIRECT_MAP_BASE), __boot_stack_guard);
  return highest;
}

}  // namespace arch
