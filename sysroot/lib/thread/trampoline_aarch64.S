// AArch64: x0 = the thread handle, sp 16-aligned.
  .text
  .globl __mica_thread_trampoline
  .type __mica_thread_trampoline, %function
__mica_thread_trampoline:
  mov x29, #0
  mov x30, #0
  bl __mica_thread_main          // returns the handle in x0
  mov w1, #1
  str w1, [x0, #32]              // done (checked by a static assert in thread.c)
  mov x8, #2                     // MICA_SYS_THREAD_EXIT
  svc #0
  brk #0
  .size __mica_thread_trampoline, . - __mica_thread_trampoline
  .section .note.GNU-stack, "", @progbits
