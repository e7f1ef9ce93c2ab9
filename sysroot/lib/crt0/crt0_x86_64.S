// x86_64 process entry: rdi = struct mica_startup*, rsi = arg1 (0).
  .section .text._start, "ax", @progbits
  .globl _start
  .type _start, @function
_start:
  xor %ebp, %ebp           // the end of the frame-pointer chain
  and $-16, %rsp           // the ABI's alignment at a call
  call __mica_start        // does not return
  ud2
  .size _start, . - _start

  .section .note.GNU-stack, "", @progbits
