// The EL1 exception vector table, register capture, and the way into and
// back out of user mode (EL0).
//
// Each of the 16 entries (4 origins x sync/IRQ/FIQ/SError) saves x0-x30, the
// interrupted SP, ELR, SPSR, ESR and FAR as an arch::aarch64::RegisterFrame
// (include/arch/aarch64/frame.h) on the current stack.
//
// From EL1 (entries 0-7) it calls arch_handle_exception(frame, entry
// index). That panics for anything but an interrupt, a lazy FP/SIMD trap or
// a fault the user-copy routines expect; for those it returns, and the
// frame's x0-x30, ELR and SPSR are restored and the CPU returns (eret) to
// the interrupted code.
//
// From EL0 (entries 8-15) the stack is SP_EL1, which a thread in user mode
// always leaves at the top of its kernel stack, so the frame is the thread's
// UserFrame, right below that top; its SP is SP_EL0. An SVC goes straight
// to arch_handle_syscall(frame), everything else to
// arch_handle_user_exception(frame, entry index); both return with
// interrupts masked after user::exit_to_user(), and aarch64_return_to_user
// reloads every EL0 register from the frame (SP_EL0 included) and erets,
// which leaves SP_EL1 at the stack top again. Layout offsets match frame.h.

#define FRAME_SIZE 288
#define FRAME_X30 240
#define FRAME_SP 248
#define FRAME_ELR 256
#define FRAME_ESR 272

// ESR_EL1.EC of an SVC instruction executed in AArch64 state.
#define EC_SVC64 0x15

.macro vector_entry index, common
  .balign 0x80
  sub sp, sp, #FRAME_SIZE
  stp x0, x1, [sp, #0]
  mov x1, #\index
  b \common
.endm

// x2-x29 into the frame at sp (x0, x1 are already there).
.macro save_x2_x29
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
.endm

// x0-x30 from the frame at sp, then pops it.
.macro restore_x0_x30
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
.endm

  .section .text.vectors, "ax"
  .balign 2048  // VBAR_EL1 ignores the low 11 bits
  .global exception_vectors
exception_vectors:
  vector_entry 0, exception_common   // current EL, SP_EL0: synchronous
  vector_entry 1, exception_common   //   IRQ
  vector_entry 2, exception_common   //   FIQ
  vector_entry 3, exception_common   //   SError
  vector_entry 4, exception_common   // current EL, SP_ELx: synchronous
  vector_entry 5, exception_common   //   IRQ
  vector_entry 6, exception_common   //   FIQ
  vector_entry 7, exception_common   //   SError
  vector_entry 8, user_exception_common   // lower EL, AArch64: synchronous
  vector_entry 9, user_exception_common   //   IRQ
  vector_entry 10, user_exception_common  //   FIQ
  vector_entry 11, user_exception_common  //   SError
  vector_entry 12, user_exception_common  // lower EL, AArch32: synchronous
  vector_entry 13, user_exception_common  //   IRQ
  vector_entry 14, user_exception_common  //   FIQ
  vector_entry 15, user_exception_common  //   SError

exception_common:
  save_x2_x29
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

  // Back from an interrupt, an FP/SIMD trap or a user-copy fault (IRQs
  // masked, as on entry).
  ldp x2, x3, [sp, #FRAME_ELR]
  msr elr_el1, x2
  msr spsr_el1, x3
  restore_x0_x30
  eret

user_exception_common:
  save_x2_x29
  mrs x2, sp_el0
  stp x30, x2, [sp, #FRAME_X30]
  mrs x2, elr_el1
  mrs x3, spsr_el1
  stp x2, x3, [sp, #FRAME_ELR]
  mrs x2, esr_el1
  mrs x3, far_el1
  stp x2, x3, [sp, #FRAME_ESR]
  mov x29, xzr  // backtraces end here, not in user memory
  mov x0, sp
  // The system-call fast path: a synchronous exception whose class is SVC.
  lsr x2, x2, #26
  cmp x2, #EC_SVC64
  ccmp x1, #8, #0, eq  // vector 8 (synchronous) too
  b.ne 1f
  bl arch_handle_syscall
  b aarch64_return_to_user
1:
  bl arch_handle_user_exception
  // Fall through.

// Returns to EL0 through the UserFrame at sp (the top of the thread's kernel
// stack minus FRAME_SIZE), interrupts masked.
aarch64_return_to_user:
  ldp x2, x3, [sp, #FRAME_ELR]
  msr elr_el1, x2
  msr spsr_el1, x3
  ldr x2, [sp, #FRAME_SP]
  msr sp_el0, x2
  restore_x0_x30
  eret

// [[noreturn]] void aarch64_enter_user(uintptr_t stack_top, uintptr_t ip,
//                                      uintptr_t sp, uintptr_t arg0,
//                                      uintptr_t arg1):
// the first entry into EL0 on the calling thread, interrupts masked. SP_EL1
// goes to the top of the thread's kernel stack (the calling frames are
// abandoned); EL0 starts at `ip` in EL0t with DAIF clear (interrupts on),
// SP_EL0 = sp, x0 = arg0, x1 = arg1 and every other register zero.
  .text
  .global aarch64_enter_user
  .type aarch64_enter_user, %function
aarch64_enter_user:
  mov sp, x0
  msr elr_el1, x1
  msr sp_el0, x2
  msr spsr_el1, xzr  // M = EL0t, DAIF = 0
  mov x0, x3
  mov x1, x4
  mov x2, xzr
  mov x3, xzr
  mov x4, xzr
  mov x5, xzr
  mov x6, xzr
  mov x7, xzr
  mov x8, xzr
  mov x9, xzr
  mov x10, xzr
  mov x11, xzr
  mov x12, xzr
  mov x13, xzr
  mov x14, xzr
  mov x15, xzr
  mov x16, xzr
  mov x17, xzr
  mov x18, xzr
  mov x19, xzr
  mov x20, xzr
  mov x21, xzr
  mov x22, xzr
  mov x23, xzr
  mov x24, xzr
  mov x25, xzr
  mov x26, xzr
  mov x27, xzr
  mov x28, xzr
  mov x29, xzr
  mov x30, xzr
  eret
  .size aarch64_enter_user, . - aarch64_enter_user

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
