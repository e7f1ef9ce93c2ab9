// Exception and interrupt entry: one 16-byte stub per vector pushes a zero
// error code where the CPU does not push one, then the vector number, and
// joins trap_common, which saves the general registers as a TrapFrame
// (trap_frame.h) and calls x86_64_trap(frame).
//
// From ring 3 (the saved CS has RPL 3) the CPU switched to the TSS's RSP0
// (the thread's kernel stack top), and the GS base is still the user's:
// SWAPGS first, and again just before the IRETQ back. (Vectors 2, 8 and 18
// run on IST stacks and can interrupt the kernel between a SWAPGS and the
// return to ring 3; x86_64_trap checks the GS base itself for those.)

.text
.balign 16
.global trap_stubs
trap_stubs:
.set vector, 0
.rept 256
  .balign 16
  .if (vector == 8) || (vector == 10) || (vector == 11) || (vector == 12) || (vector == 13) || (vector == 14) || (vector == 17) || (vector == 21) || (vector == 29) || (vector == 30)
  .else
    pushq $0
  .endif
  pushq $vector
  jmp trap_common
  .set vector, vector + 1
.endr

// At entry: 0(%rsp) vector, 8 error code, 16 RIP, 24 CS.
trap_common:
  testb $3, 24(%rsp)
  jz 1f
  swapgs
1:
  // TrapFrame order (trap_frame.h), highest address first.
  push %r9
  push %r8
  push %r10
  push %rdx
  push %rsi
  push %rdi
  push %rax
  push %rbp
  push %rcx
  push %r11
  push %rbx
  push %r12
  push %r13
  push %r14
  push %r15
  mov %rsp, %rdi
  cld
  call x86_64_trap
  pop %r15
  pop %r14
  pop %r13
  pop %r12
  pop %rbx
  pop %r11
  pop %rcx
  pop %rbp
  pop %rax
  pop %rdi
  pop %rsi
  pop %rdx
  pop %r10
  pop %r8
  pop %r9
  testb $3, 24(%rsp)
  jz 2f
  // Interrupts are masked (x86_64_trap returns so); nothing may fault
  // between here and the IRETQ.
  swapgs
2:
  add $16, %rsp                  // vector and error code
  iretq
