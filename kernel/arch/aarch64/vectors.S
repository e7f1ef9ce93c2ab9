// The EL1 exception vector table and register capture.
//
// Each of the 16 entries (4 origins x sync/IRQ/FIQ/SError) saves x0-x30, the
// interrupted SP, ELR, SPSR, ESR and FAR as an aarch64::RegisterFrame on the
// current stack and calls arch_handle_exception(frame, entry index). That
// panics for anything but an interrupt; for an interrupt it returns, and the
// frame's x0-x30, ELR and SPSR are restored and the CPU returns (eret) to
// the interrupted code with every register as it was. Layout offsets match
// exception.h.

#define FRAME_SIZE 288
#define FRAME_X30 240
#define FRAME_ELR 256
#define FRAME_ESR 272

.macro vector_entry index
  .balign 0x80
  sub sp, sp, #FRAME_SIZE
  stp x0, x1, [sp, #0]
  mov x1, #\index
  b exception_common
.endm

  .section .text.vectors, "ax"
  .balign 2048  // VBAR_EL1 ignores the low 11 bits
  .global exception_vectors
exception_vectors:
  vector_entry 0   // current EL, SP_EL0: synchronous
  vector_entry 1   //   IRQ
  vector_entry 2   //   FIQ
  vector_entry 3   //   SError
  vector_entry 4   // current EL, SP_ELx: synchronous
  vector_entry 5   //   IRQ
  vector_entry 6   //   FIQ
  vector_entry 7   //   SError
  vector_entry 8   // lower EL, AArch64: synchronous
  vector_entry 9   //   IRQ
  vector_entry 10  //   FIQ
  vector_entry 11  //   SError
  vector_entry 12  // lower EL, AArch32: synchronous
  vector_entry 13  //   IRQ
  vector_entry 14  //   FIQ
  vector_entry 15  //   SError

exception_common:
  stp x2, x3, [sp, #16]
  stp x4, x5, [sp, #32]
  stp x6, x7, [sp, #48]
  stp x8, x9, [sp, #64]
  stp x10, x11, [sp, #80]
  stp x12, x13, [sp, #96]
  stp x14, x15, [sp, #112]
  stp x16, x17, [sp, #128]
  stp x18, x19, [sp, #144]
  stp x20, x21, [sp, #160]
  stp x22, x23, [sp, #176]
  stp x24, x25, [sp, #192]
  stp x26, x27, [sp, #208]
  stp x28, x29, [sp, #224]
  add x2, sp, #FRAME_SIZE  // SP before the exception (from EL1 with SP_EL1)
  stp x30, x2, [sp, #FRAME_X30]
  mrs x2, elr_el1
  mrs x3, spsr_el1
  stp x2, x3, [sp, #FRAME_ELR]
  mrs x2, esr_el1
  mrs x3, far_el1
  stp x2, x3, [sp, #FRAME_ESR]
  mov x0, sp
  bl arch_handle_exception

  // Back from an interrupt (IRQs still masked, as on entry).
  ldp x2, x3, [sp, #FRAME_ELR]
  msr elr_el1, x2
  msr spsr_el1, x3
  ldp x0, x1, [sp, #0]
  ldp x2, x3, [sp, #16]
  ldp x4, x5, [sp, #32]
  ldp x6, x7, [sp, #48]
  ldp x8, x9, [sp, #64]
  ldp x10, x11, [sp, #80]
  ldp x12, x13, [sp, #96]
  ldp x14, x15, [sp, #112]
  ldp x16, x17, [sp, #128]
  ldp x18, x19, [sp, #144]
  ldp x20, x21, [sp, #160]
  ldp x22, x23, [sp, #176]
  ldp x24, x25, [sp, #192]
  ldp x26, x27, [sp, #208]
  ldp x28, x29, [sp, #224]
  ldr x30, [sp, #FRAME_X30]
  add sp, sp, #FRAME_SIZE
  eret

// void arch_capture_registers(RegisterFrame* frame): the caller's x0-x30 and
// SP as they are at the call; ELR, SPSR, ESR and FAR are zeroed.
  .text
  .global arch_capture_registers
  .type arch_capture_registers, %function
arch_capture_registers:
  stp x0, x1, [x0, #0]
  stp x2, x3, [x0, #16]
  stp x4, x5, [x0, #32]
  stp x6, x7, [x0, #48]
  stp x8, x9, [x0, #64]
  stp x10, x11, [x0, #80]
  stp x12, x13, [x0, #96]
  stp x14, x15, [x0, #112]
  stp x16, x17, [x0, #128]
  stp x18, x19, [x0, #144]
  stp x20, x21, [x0, #160]
  stp x22, x23, [x0, #176]
  stp x24, x25, [x0, #192]
  stp x26, x27, [x0, #208]
  stp x28, x29, [x0, #224]
  mov x1, sp
  stp x30, x1, [x0, #FRAME_X30]
  stp xzr, xzr, [x0, #FRAME_ELR]
  stp xzr, xzr, [x0, #FRAME_ESR]
  ret
  .size arch_capture_registers, . - arch_capture_registers
