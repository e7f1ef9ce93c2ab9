// AArch64 process entry: x0 = struct mica_startup*, x1 = arg1 (0).
  .section .text._start, "ax", %progbits
  .globl _start
  .type _start, %function
_start:
  mov x29, #0              // the end of the frame-record chain
  mov x30, #0
  mov x9, sp
  and x9, x9, #~15
  mov sp, x9
  bl __mica_start          // does not return
  brk #0
  .size _start, . - _start

  .section .note.GNU-stack, "", %progbits
