// x86_64 virtual memory layout, shared by start.S, the linker script and C++.
#pragma once

// The kernel image runs at -2 GiB (so -mcmodel=kernel addressing works),
// loaded at 1 MiB physical.
#define KERNEL_VIRTUAL_BASE 0xFFFFFFFF80000000
#define KERNEL_PHYSICAL_BASE 0x100000

// During early boot the first 4 GiB of physical memory are identity-mapped so
// the boot loader's structures can be read; the memory manager replaces this
// with the direct map.
#define BOOT_IDENTITY_MAP_GIB 4

#define BOOT_STACK_SIZE 16384

// All of physical memory is mapped here (PML4 slots 256..383, up to 64 TiB).
// During boot the same slot maps the first 4 GiB, so phys_to_virt works from
// the first instruction of C++.
#define DIRECT_MAP_BASE 0xFFFF800000000000
#define BOOT_DIRECT_MAP_LIMIT 0x100000000

// Kernel virtual area (PML4 slot 384): kernel stacks with guard pages, MMIO.
#define KERNEL_AREA_BASE 0xFFFFC00000000000

// Application processors start in real mode at this page (below 1 MiB, in
// the low memory the frame allocator never hands out; see ap_trampoline.S).
#define AP_TRAMPOLINE_BASE 0x8000

// Each application processor's boot stack; an unmapped guard page sits under
// each.
#define AP_BOOT_STACK_SIZE 16384
