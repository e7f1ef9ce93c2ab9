// x86_64 entry from a Multiboot2 boot loader.
//
// GRUB enters _start in 32-bit protected mode, paging off, with EAX = the
// Multiboot2 magic and EBX = the physical address of the boot information.
// We build boot page tables (the first 4 GiB identity-mapped with 2 MiB pages,
// and the first 1 GiB again at KERNEL_VIRTUAL_BASE), enable long mode, and
// jump to the higher half, where x86_64_entry (boot.cc) takes over.
#include <arch/x86_64/layout.h>

#define PHYS(symbol) ((symbol) - KERNEL_VIRTUAL_BASE)

#define MB2_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0

// ---- Multiboot2 header: within the first 32 KiB, 8-byte aligned. ----
.section .multiboot, "a"
.balign 8
mb2_header:
  .long MB2_MAGIC
  .long MB2_ARCH_I386
  .long mb2_header_end - mb2_header
  .long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
  // Console flags tag (type 4, optional): EGA text is supported, so that
  // GRUB may leave a BIOS machine in VGA text mode (grub.cfg asks it to).
  .short 4
  .short 1
  .long 12
  .long 2
  .balign 8
  // Framebuffer tag (type 5, optional, no preferred mode): a UEFI boot has
  // no text mode, and this asks GRUB for the firmware's graphics mode
  // instead of nothing.
  .short 5
  .short 1
  .long 20
  .long 0
  .long 0
  .long 0
  .balign 8
  // End tag.
  .short 0
  .short 0
  .long 8
mb2_header_end:

.section .boot.text, "ax"
.code32
.global _start
_start:
  cli
  cld
  mov %eax, %edi                 // magic: first argument of x86_64_entry
  mov %ebx, %esi                 // info:  second argument
  mov $PHYS(boot_stack_top), %esp

  // Long mode needs CPUID leaf 0x80000001 EDX bit 29.
  mov $0x80000000, %eax
  cpuid
  cmp $0x80000001, %eax
  jb no_long_mode
  mov $0x80000001, %eax
  cpuid
  test $(1 << 29), %edx
  jz no_long_mode
  mov %edx, %ebp                 // keep the feature bits: NX is bit 20

  // Zero the boot page tables (they live in .bss, which we do not trust the
  // loader to have cleared this early).
  push %edi
  mov $PHYS(boot_page_tables_start), %edi
  mov $PHYS(boot_page_tables_end), %ecx
  sub %edi, %ecx
  shr $2, %ecx
  xor %eax, %eax
  rep stosl
  pop %edi

  // PML4[0] and PML4[256] -> identity PDPT; PML4[511] -> high PDPT.
  mov $PHYS(boot_pdpt_low), %eax
  or $0x3, %eax
  mov %eax, PHYS(boot_pml4)
  mov %eax, PHYS(boot_pml4) + 256 * 8    // the boot direct map: same 4 GiB
  mov $PHYS(boot_pdpt_high), %eax
  or $0x3, %eax
  mov %eax, PHYS(boot_pml4) + 511 * 8

  // Identity PDPT entries 0..3 -> the four page directories.
  mov $PHYS(boot_pd), %eax
  or $0x3, %eax
  mov $PHYS(boot_pdpt_low), %ebx
  mov $BOOT_IDENTITY_MAP_GIB, %ecx
1:
  mov %eax, (%ebx)
  add $4096, %eax
  add $8, %ebx
  loop 1b
  // High PDPT entry 510 (-2 GiB) -> the first page directory: 1 GiB of kernel.
  mov $PHYS(boot_pd), %eax
  or $0x3, %eax
  mov %eax, PHYS(boot_pdpt_high) + 510 * 8

  // Fill the page directories: 2048 entries of 2 MiB, present|write|huge.
  mov $PHYS(boot_pd), %ebx
  xor %ecx, %ecx
2:
  mov %ecx, %eax
  shl $21, %eax
  or $0x83, %eax
  mov %eax, (%ebx, %ecx, 8)
  mov %ecx, %eax
  shr $11, %eax                  // high half of the physical address (>= 4 GiB: 0)
  mov %eax, 4(%ebx, %ecx, 8)
  inc %ecx
  cmp $(BOOT_IDENTITY_MAP_GIB * 512), %ecx
  jne 2b

  // CR4.PAE, CR3, EFER.LME (+NXE if present), CR0.PG|WP.
  mov %cr4, %eax
  or $(1 << 5), %eax
  mov %eax, %cr4
  mov $PHYS(boot_pml4), %eax
  mov %eax, %cr3
  mov $0xc0000080, %ecx
  rdmsr
  or $(1 << 8), %eax
  test $(1 << 20), %ebp
  jz 3f
  or $(1 << 11), %eax
3:
  wrmsr
  mov %cr0, %eax
  or $((1 << 31) | (1 << 16) | 1), %eax
  mov %eax, %cr0

  lgdt boot_gdt_pointer
  ljmp $0x08, $long_mode_entry

no_long_mode:
  // Say why on COM1, then halt.
  mov $no_long_mode_message, %esi
4:
  lodsb
  test %al, %al
  jz 6f
  mov %al, %bl
  mov $0x3fd, %dx
5:
  inb %dx, %al
  test $0x20, %al
  jz 5b
  mov %bl, %al
  mov $0x3f8, %dx
  outb %al, %dx
  jmp 4b
6:
  cli
  hlt
  jmp 6b

.code64
long_mode_entry:
  mov $0x10, %eax
  mov %eax, %ds
  mov %eax, %es
  mov %eax, %ss
  xor %eax, %eax
  mov %eax, %fs
  mov %eax, %gs
  movabs $higher_half_entry, %rax
  jmp *%rax

.section .boot.rodata, "a"
.balign 8
boot_gdt:
  .quad 0
  .quad 0x00af9a000000ffff       // 0x08: 64-bit kernel code
  .quad 0x00cf92000000ffff       // 0x10: kernel data
boot_gdt_end:
boot_gdt_pointer:
  .short boot_gdt_end - boot_gdt - 1
  .long boot_gdt
no_long_mode_message:
  .asciz "mica: this CPU has no long mode (x86_64); boot the pc-i586 product instead\r\n"

.text
higher_half_entry:
  movabs $boot_stack_top, %rsp
  xor %ebp, %ebp
  // EDI, ESI still hold magic and info (zero-extended by the 32-bit moves).
  call x86_64_entry
7:
  cli
  hlt
  jmp 7b

.bss
.balign 4096
boot_page_tables_start:
boot_pml4:
  .skip 4096
boot_pdpt_low:
  .skip 4096
boot_pdpt_high:
  .skip 4096
boot_pd:
  .skip 4096 * BOOT_IDENTITY_MAP_GIB
boot_page_tables_end:

// The boot stack has its own section: the linker script puts an unmapped
// guard page under it.
.section .boot_stack, "aw", @nobits
.balign 4096
.global boot_stack_bottom
boot_stack_bottom:
  .skip BOOT_STACK_SIZE
.global boot_stack_top
boot_stack_top:
