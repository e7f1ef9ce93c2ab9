// Application-processor start-up (Intel SDM vol. 3A, 8.4.4): smp.cc copies
// [ap_trampoline_start, ap_trampoline_end) to AP_TRAMPOLINE_BASE (a page
// below 1 MiB, identity-mapped in the kernel root while APs start), fills in
// its CR3 and EFER words, and sends INIT-SIPI-SIPI with vector
// AP_TRAMPOLINE_BASE >> 12. The AP wakes in real mode at CS:IP =
// (AP_TRAMPOLINE_BASE >> 4):0, goes to protected mode, turns on paging with
// the kernel's root and long mode, and jumps to x86_64_ap_start in the
// kernel's text, which claims its boot stack and calls x86_64_ap_main.
#include <arch/x86_64/layout.h>

// An address inside the copy.
#define AT(symbol) (AP_TRAMPOLINE_BASE + (symbol) - ap_trampoline_start)

.section .rodata.ap_trampoline, "a"
.balign 16
.global ap_trampoline_start
ap_trampoline_start:
.code16
  cli
  cld
  mov %cs, %ax
  mov %ax, %ds
  lgdtl (ap_gdt_pointer - ap_trampoline_start)
  mov %cr0, %eax
  and $~((1 << 30) | (1 << 29)), %eax  // caches on: INIT leaves CD and NW set
  or $1, %eax                    // PE
  mov %eax, %cr0
  ljmpl $0x08, $AT(ap_protected_mode)

.code32
ap_protected_mode:
  mov $0x10, %ax
  mov %ax, %ds
  mov %ax, %es
  mov %ax, %ss
  mov %cr4, %eax
  or $(1 << 5), %eax             // PAE
  mov %eax, %cr4
  mov AT(ap_cr3), %eax
  mov %eax, %cr3
  mov $0xc0000080, %ecx          // EFER: LME, and NXE as the boot CPU has it
  rdmsr
  or AT(ap_efer), %eax
  wrmsr
  mov %cr0, %eax
  or $((1 << 31) | (1 << 16)), %eax   // PG, WP
  mov %eax, %cr0
  ljmp $0x18, $AT(ap_long_mode)

.code64
ap_long_mode:
  mov $0x10, %eax
  mov %eax, %ds
  mov %eax, %es
  mov %eax, %ss
  movabs $x86_64_ap_start, %rax
  jmp *%rax

.balign 8
// Descriptors are marked accessed: the CPU need not write to this page,
// which is mapped read-only once paging is on.
ap_gdt:
  .quad 0
  .quad 0x00cf9b000000ffff       // 0x08: 32-bit code
  .quad 0x00cf93000000ffff       // 0x10: data
  .quad 0x00af9b000000ffff       // 0x18: 64-bit code
ap_gdt_end:
ap_gdt_pointer:
  .short ap_gdt_end - ap_gdt - 1
  .long AT(ap_gdt)
.balign 4
.global ap_cr3
ap_cr3:
  .long 0
.global ap_efer
ap_efer:
  .long 0
.global ap_trampoline_end
ap_trampoline_end:

.text
// 64-bit, on the kernel root, without a stack. The boot CPU set
// ap_claim to the CPU index this AP gets (after ap_stack_top); taking it
// (swapping in 0) is what lets the AP use that stack. Finding 0 means the
// boot CPU gave up waiting (or another AP took it): park.
.balign 16
.global x86_64_ap_start
.type x86_64_ap_start, @function
x86_64_ap_start:
  xor %edi, %edi
  xchg %edi, ap_claim(%rip)
  test %edi, %edi
  jz 1f
  mov ap_stack_top(%rip), %rsp
  xor %ebp, %ebp
  push $0                        // a null frame ends backtraces
  push $0
  call x86_64_ap_main            // (edi: CPU index); never returns
1:
  cli
  hlt
  jmp 1b
.size x86_64_ap_start, . - x86_64_ap_start
