// i586 kernel address space: the direct map at 3 GiB (up to 768 MiB of
// physical memory, 4 MiB pages), the kernel image inside it mapped page by
// page with least rights, and fixed kernel page-directory entries shared by
// every address space.
#include <arch/i586/layout.h>
#include <arch/i586/page_table_format.h>
#include <arch/platform.h>
#include <core/console.h>

extern "C" const char __kernel_physical_start[], __kernel_physical_end[];
extern "C" const char __kernel_text_start[], __kernel_text_end[];
extern "C" const char __kernel_rodata_start[], __kernel_rodata_end[];
extern "C" const char __kernel_data_start[], __boot_stack_guard[], __kernel_end[];

namespace arch {
namespace {

constinit uint64_t g_kernel_root = 0;

using Table = mm::PageTable<i586::PageTableFormat>;

uint64_t address(const char* symbol) {
  return reinterpret_cast<uint32_t>(symbol);
}

}  // namespace

uint64_t Platform::kernel_root() {
  return g_kernel_root;
}

lib::Result<uint64_t> Platform::new_user_root(mm::FrameSource& frames) {
  uint64_t root = TRY(frames.allocate_table());
  auto* entries = static_cast<uint32_t*>(frames.table_pointer(root));
  const auto* kernel = static_cast<const uint32_t*>(frames.table_pointer(g_kernel_root));
  for (unsigned slot = kUserSlotEnd; slot < 1024; ++slot) entries[slot] = kernel[slot];
  return root;
}

void* Platform::phys_to_virt(uint64_t phys) {
  return reinterpret_cast<void*>(static_cast<uint32_t>(phys + DIRECT_MAP_BASE));
}

uint64_t Platform::virt_to_phys(const void* virt) {
  return reinterpret_cast<uint32_t>(virt) - DIRECT_MAP_BASE;
}

// start.S maps 1 GiB at 3 GiB.
uint64_t Platform::boot_accessible_limit() {
  return 0x40000000;
}

size_t Platform::boot_reservations(mm::Reservation* out, size_t max) {
  mm::Reservation all[] = {
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

  uint64_t image_base = address(__kernel_physical_start);
  uint64_t image_size = address(__kernel_physical_end) - image_base;
  mm::PhysicalRange ranges[boot::BootInfo::kMaxMemoryRanges];
  size_t count = TRY(mm::direct_map_ranges(info, DIRECT_MAP_LIMIT, image_base, image_size, ranges,
                                           boot::BootInfo::kMaxMemoryRanges));
  uint64_t highest = 0;
  for (size_t i = 0; i < count; ++i) {
    TRY(table.map_range_large(DIRECT_MAP_BASE + ranges[i].base, ranges[i].base, ranges[i].size,
                              mm::Permissions::read_write()));
    highest = ranges[i].base + ranges[i].size;
  }

  // No NX bit on the Pentium: read-only and read-execute are the same here,
  // so W^X means code and read-only data are never writable.
  TRY(table.map_image_range(__kernel_text_start, __kernel_text_end, KERNEL_VIRTUAL_BASE,
                            mm::Permissions::read_execute()));
  TRY(table.map_image_range(__kernel_rodata_start, __kernel_rodata_end, KERNEL_VIRTUAL_BASE,
                            mm::Permissions::read_only()));
  TRY(table.map_image_range(__kernel_data_start, __boot_stack_guard, KERNEL_VIRTUAL_BASE,
                            mm::Permissions::read_write()));
  TRY(table.map_image_range(__boot_stack_guard + mm::kPageSize, __kernel_end, KERNEL_VIRTUAL_BASE,
                            mm::Permissions::read_write()));

  // Page tables for the first 64 MiB of the kernel area exist from now on,
  // so the kernel's page-directory entries never change after boot.
  for (uint64_t virt = KERNEL_AREA_BASE; virt < KERNEL_AREA_BASE + (64u << 20);
       virt += Table::span(1)) {
    TRY(table.ensure_root_slot(virt));
  }

  g_kernel_root = table.root();
  asm volatile("mov %0, %%cr3" : : "r"(static_cast<uint32_t>(table.root())) : "memory");
  kprintf(
      "mica: kernel address space: direct map of %llu MiB at %#x, image W^X "
      "(no NX on i586), boot stack guard page at %p\n",
      static_cast<unsigned long long>(highest >> 20), DIRECT_MAP_BASE, __boot_stack_guard);
  return highest;
}

}  // namespace arch
