// Thread switching and FP/SIMD register transfer. The layouts are
// arch::aarch64::Context and FpuState (include/arch/aarch64/cpu.h).
//
// The kernel is compiled -mgeneral-regs-only, so the FP/SIMD registers are
// only ever touched here (and by user code, later).

#define CONTEXT_FP 80
#define CONTEXT_SP 96
#define CONTEXT_TPIDR_EL0 104
#define FPU_FPCR 512
#define FPU_FPSR 516

  .text

// void aarch64_switch_context(Context* from, Context* to): called with
// interrupts masked. Only the callee-saved registers need saving: to the
// caller this is an ordinary call that clobbers the rest. TPIDR_EL0 (the
// user thread pointer) goes with the thread too.
  .global aarch64_switch_context
  .type aarch64_switch_context, %function
  .balign 16
aarch64_switch_context:
  stp x19, x20, [x0, #0]
  stp x21, x22, [x0, #16]
  stp x23, x24, [x0, #32]
  stp x25, x26, [x0, #48]
  stp x27, x28, [x0, #64]
  stp x29, x30, [x0, #CONTEXT_FP]
  mov x9, sp
  mrs x10, tpidr_el0
  stp x9, x10, [x0, #CONTEXT_SP]
  ldp x19, x20, [x1, #0]
  ldp x21, x22, [x1, #16]
  ldp x23, x24, [x1, #32]
  ldp x25, x26, [x1, #48]
  ldp x27, x28, [x1, #64]
  ldp x29, x30, [x1, #CONTEXT_FP]
  ldp x9, x10, [x1, #CONTEXT_SP]
  mov sp, x9
  msr tpidr_el0, x10
  ret
  .size aarch64_switch_context, . - aarch64_switch_context

// Where a new thread's first switch returns to (init_context): x19 is the
// start function, x20 and x21 its two arguments, x29 (the frame chain) is 0.
// The start function (core's sched_thread_start) never returns.
  .global aarch64_thread_trampoline
  .type aarch64_thread_trampoline, %function
aarch64_thread_trampoline:
  mov x0, x20
  mov x1, x21
  blr x19
  brk #0x7d0  // the start function returned: the exception path panics
  .size aarch64_thread_trampoline, . - aarch64_thread_trampoline

// void aarch64_fpu_save(FpuState* state): v0-v31, FPCR, FPSR into `state`.
// CPACR_EL1.FPEN must let EL1 use the registers.
  .global aarch64_fpu_save
  .type aarch64_fpu_save, %function
aarch64_fpu_save:
  stp q0, q1, [x0, #0]
  stp q2, q3, [x0, #32]
  stp q4, q5, [x0, #64]
  stp q6, q7, [x0, #96]
  stp q8, q9, [x0, #128]
  stp q10, q11, [x0, #160]
  stp q12, q13, [x0, #192]
  stp q14, q15, [x0, #224]
  stp q16, q17, [x0, #256]
  stp q18, q19, [x0, #288]
  stp q20, q21, [x0, #320]
  stp q22, q23, [x0, #352]
  stp q24, q25, [x0, #384]
  stp q26, q27, [x0, #416]
  stp q28, q29, [x0, #448]
  stp q30, q31, [x0, #480]
  mrs x1, fpcr
  mrs x2, fpsr
  str w1, [x0, #FPU_FPCR]
  str w2, [x0, #FPU_FPSR]
  ret
  .size aarch64_fpu_save, . - aarch64_fpu_save

// void aarch64_fpu_restore(const FpuState* state): the reverse.
  .global aarch64_fpu_restore
  .type aarch64_fpu_restore, %function
aarch64_fpu_restore:
  ldp q0, q1, [x0, #0]
  ldp q2, q3, [x0, #32]
  ldp q4, q5, [x0, #64]
  ldp q6, q7, [x0, #96]
  ldp q8, q9, [x0, #128]
  ldp q10, q11, [x0, #160]
  ldp q12, q13, [x0, #192]
  ldp q14, q15, [x0, #224]
  ldp q16, q17, [x0, #256]
  ldp q18, q19, [x0, #288]
  ldp q20, q21, [x0, #320]
  ldp q22, q23, [x0, #352]
  ldp q24, q25, [x0, #384]
  ldp q26, q27, [x0, #416]
  ldp q28, q29, [x0, #448]
  ldp q30, q31, [x0, #480]
  ldr w1, [x0, #FPU_FPCR]
  ldr w2, [x0, #FPU_FPSR]
  msr fpcr, x1
  msr fpsr, x2
  ret
  .size aarch64_fpu_restore, . - aarch64_fpu_restore
