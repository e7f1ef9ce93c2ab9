// AArch64 (Raspberry Pi) virtual memory layout, shared by start.S, kernel.ld
// and C++.
//
// TTBR1_EL1 translates the top 256 TiB (0xFFFF000000000000 and up, T1SZ=16)
// and holds the kernel; TTBR0_EL1 translates the bottom 256 TiB and holds
// user address spaces (nothing while the kernel runs alone).
//
//   0xFFFF000000000000  direct map of physical memory (DIRECT_MAP_BASE):
//                       RAM Normal write-back, never executable; the board's
//                       peripheral windows Device-nGnRE at the same offset
//                       (so a device at physical P is at DIRECT_MAP_BASE + P;
//                       the early drivers use that, see mmio.h). The kernel
//                       image is inside it, at KERNEL_VIRTUAL_BASE + its
//                       physical address, with its own least-rights pages.
//   0xFFFF800000000000  kernel virtual area (KERNEL_AREA_BASE, 512 GiB):
//                       mm::map_physical's device and firmware mappings.
#pragma once

// The firmware (or QEMU) loads kernel8.img here, the default for 64-bit
// kernels (kernel_address in config.txt), and jumps to its first byte with
// the MMU off.
#define KERNEL_PHYSICAL_BASE 0x80000

// The image is linked at KERNEL_VIRTUAL_BASE + its physical address, i.e.
// inside the direct map.
#define KERNEL_VIRTUAL_BASE 0xFFFF000000000000
#define DIRECT_MAP_BASE KERNEL_VIRTUAL_BASE
// The direct map may cover physical addresses up to 128 TiB.
#define DIRECT_MAP_SIZE 0x0000800000000000
#define KERNEL_AREA_BASE 0xFFFF800000000000
#define KERNEL_AREA_SIZE 0x0000008000000000

// The boot page tables (start.S) map, with 2 MiB blocks, physical
// [0, BOOT_DIRECT_MAP_LIMIT) as Normal memory and the board's device window
// (BOARD_DEVICE_WINDOW_BASE/END in <board/peripherals.h>) as Device memory,
// both at DIRECT_MAP_BASE and, for the instant the MMU comes on, identity.
// They cover the first BOOT_MAP_LIMIT bytes of physical memory, so the
// device window must lie below it.
#define BOOT_DIRECT_MAP_LIMIT 0x40000000
#define BOOT_MAP_LIMIT 0x100000000

// Each CPU's boot stack (the boot CPU's, then one per secondary CPU in
// kernel.ld), each above an unmapped guard page.
#define BOOT_STACK_SIZE 16384
#define SECONDARY_STACK_COUNT 3
#define SECONDARY_STACK_SLOT (4096 + BOOT_STACK_SIZE)
