// i586 entry from a Multiboot (version 1) boot loader.
//
// GRUB enters _start in 32-bit protected mode, paging off, EAX = the
// Multiboot magic, EBX = the physical address of the boot information. We
// turn on paging with 4 MiB pages (PSE, present on every Pentium): the low
// 3 GiB identity-mapped, and 1 GiB at KERNEL_VIRTUAL_BASE mapping physical 0,
// then continue in the higher half in i586_entry (boot.cc).
#include <arch/i586/layout.h>

#define PHYS(symbol) ((symbol) - KERNEL_VIRTUAL_BASE)

#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x3              // page-align modules, give memory info

.section .multiboot, "a"
.balign 4
  .long MB_MAGIC
  .long MB_FLAGS
  .long -(MB_MAGIC + MB_FLAGS)

.section .boot.text, "ax"
.global _start
_start:
  cli
  cld
  mov $PHYS(boot_stack_top), %esp
  mov %eax, %esi                 // magic
  mov %ebx, %ebp                 // info

  // Page directory: 4 MiB pages, present|write|PS.
  mov $PHYS(boot_page_directory), %edi
  xor %ecx, %ecx
1:
  mov %ecx, %eax
  cmp $(KERNEL_VIRTUAL_BASE >> 22), %ecx
  jb 2f
  sub $(KERNEL_VIRTUAL_BASE >> 22), %eax
2:
  shl $22, %eax
  or $0x83, %eax
  mov %eax, (%edi, %ecx, 4)
  inc %ecx
  cmp $1024, %ecx
  jne 1b

  mov %cr4, %eax
  or $(1 << 4), %eax             // PSE
  mov %eax, %cr4
  mov %edi, %cr3
  mov %cr0, %eax
  or $((1 << 31) | (1 << 16)), %eax   // PG, WP
  mov %eax, %cr0

  mov $higher_half_entry, %eax
  jmp *%eax

.text
higher_half_entry:
  mov $boot_stack_top, %esp
  xor %eax, %eax
  push %eax                      // a zero frame ends backtraces
  mov %esp, %eax
  push %ebp                      // info
  push %esi                      // magic
  xor %ebp, %ebp
  call i586_entry
3:
  cli
  hlt
  jmp 3b

.bss
.balign 4096
boot_page_directory:
  .skip 4096
// The boot stack has its own section: the linker script puts an unmapped
// guard page under it.
.section .boot_stack, "aw", @nobits
.balign 4096
.global boot_stack_bottom
boot_stack_bottom:
  .skip BOOT_STACK_SIZE
.global boot_stack_top
boot_stack_top:
