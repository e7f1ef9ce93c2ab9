// Thread context switch and the first-switch trampoline (see thread.cc).
//
// A suspended thread's callee-saved registers sit on its own stack, under
// the address switch_context returns to; Context holds only the stack
// pointer. Everything else the SysV ABI lets a call clobber, and the
// interrupt flag is the caller's business (core switches with interrupts
// masked).

.text

// void x86_64_switch_context(Context* from /* rdi */, Context* to /* rsi */)
.balign 16
.global x86_64_switch_context
.type x86_64_switch_context, @function
x86_64_switch_context:
  push %rbx
  push %rbp
  push %r12
  push %r13
  push %r14
  push %r15
  mov %rsp, (%rdi)
  mov (%rsi), %rsp
  pop %r15
  pop %r14
  pop %r13
  pop %r12
  pop %rbp
  pop %rbx
  ret
.size x86_64_switch_context, . - x86_64_switch_context

// Where a new thread's first switch returns to (init_context set up the
// registers): start(entry, argument), which never returns. RSP is 16-aligned
// here, so the call leaves the ABI's alignment for the callee.
.balign 16
.global x86_64_thread_trampoline
.type x86_64_thread_trampoline, @function
x86_64_thread_trampoline:
  mov %r12, %rdi                 // entry
  mov %r13, %rsi                 // argument
  call *%r14                     // start: sched_thread_start
  ud2
.size x86_64_thread_trampoline, . - x86_64_thread_trampoline
