// Thread context switch and the first-switch trampoline (see thread.cc).
//
// A suspended thread's callee-saved registers (ebx, esi, edi, ebp) sit on
// its own stack, under the address switch_context returns to; Context holds
// only the stack pointer. The interrupt flag is the caller's business (core
// switches with interrupts masked).

.text

// void i586_switch_context(Context* from, Context* to)  (cdecl)
.balign 16
.global i586_switch_context
.type i586_switch_context, @function
i586_switch_context:
  mov 4(%esp), %eax              // from
  mov 8(%esp), %edx              // to
  push %ebx
  push %esi
  push %edi
  push %ebp
  mov %esp, (%eax)
  mov (%edx), %esp
  pop %ebp
  pop %edi
  pop %esi
  pop %ebx
  ret
.size i586_switch_context, . - i586_switch_context

// Where a new thread's first switch returns to: start(entry, argument),
// which never returns. ESP is 8 mod 16 here, so after the two arguments the
// call is made with a 16-byte-aligned stack.
.balign 16
.global i586_thread_trampoline
.type i586_thread_trampoline, @function
i586_thread_trampoline:
  push %esi                      // argument
  push %ebx                      // entry
  call *%edi                     // start: sched_thread_start
  ud2
.size i586_thread_trampoline, . - i586_thread_trampoline
