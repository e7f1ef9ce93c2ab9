// x86_64: rdi = the thread handle, rsp 16-aligned.
  .text
  .globl __mica_thread_trampoline
  .type __mica_thread_trampoline, @function
__mica_thread_trampoline:
  xor %ebp, %ebp
  call __mica_thread_main        // returns the handle in rax
  movl $1, 32(%rax)              // done (checked by a static assert in thread.c)
  mov $2, %eax                   // MICA_SYS_THREAD_EXIT
  syscall
  ud2
  .size __mica_thread_trampoline, . - __mica_thread_trampoline
  .section .note.GNU-stack, "", @progbits
