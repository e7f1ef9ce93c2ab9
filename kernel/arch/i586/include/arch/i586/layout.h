// i586 virtual memory layout, shared by start.S, the linker script and C++.
#pragma once

// The kernel runs at 3 GiB (the top quarter of every address space), loaded
// at 1 MiB physical.
#define KERNEL_VIRTUAL_BASE 0xC0000000
#define KERNEL_PHYSICAL_BASE 0x100000

// Boot paging maps, with 4 MiB pages, everything below 3 GiB to itself (so the
// boot loader's structures can be read) and 1 GiB at KERNEL_VIRTUAL_BASE to
// physical 0; the memory manager replaces this.
#define BOOT_KERNEL_MAP_MIB 1024

#define BOOT_STACK_SIZE 16384

// The direct map starts at KERNEL_VIRTUAL_BASE (the image is part of it, at
// its physical address + 3 GiB) and covers physical memory up to 768 MiB.
// Frames above that ("high memory") are managed and given to user space but
// reached by the kernel only through temporary mappings. The top 256 MiB of
// the address space are the kernel virtual area (stacks, MMIO).
#define DIRECT_MAP_BASE KERNEL_VIRTUAL_BASE
#define DIRECT_MAP_LIMIT 0x30000000
#define KERNEL_AREA_BASE 0xF0000000
