// i586: ebx = the thread handle.
  .text
  .globl __mica_thread_trampoline
  .type __mica_thread_trampoline, @function
__mica_thread_trampoline:
  xor %ebp, %ebp
  and $-16, %esp
  sub $12, %esp
  push %ebx
  call __mica_thread_main        // returns the handle in eax
  movl $1, 16(%eax)              // done (checked by a static assert in thread.c)
  mov $2, %eax                   // MICA_SYS_THREAD_EXIT
  int $0x80
  ud2
  .size __mica_thread_trampoline, . - __mica_thread_trampoline
  .section .note.GNU-stack, "", @progbits
