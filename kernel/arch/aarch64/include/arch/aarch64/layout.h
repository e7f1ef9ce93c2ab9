// AArch64 (Raspberry Pi) kernel layout, shared by start.S, kernel.ld and C++.
#pragma once

// The firmware loads kernel8.img here (kernel_address in config.txt, default
// for 64-bit kernels) and jumps to its first byte. The MMU is off, so the
// kernel is linked at the physical address it runs at.
// TODO: the memory-management issue moves the kernel to a higher-half
// virtual address once paging is on.
#define KERNEL_LOAD_ADDRESS 0x80000

#define BOOT_STACK_SIZE 16384
