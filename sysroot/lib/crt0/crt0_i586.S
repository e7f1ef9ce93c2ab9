// i586 process entry: ebx = struct mica_startup*, ecx = arg1 (0).
  .section .text._start, "ax", @progbits
  .globl _start
  .type _start, @function
_start:
  xor %ebp, %ebp           // the end of the frame-pointer chain
  and $-16, %esp
  sub $8, %esp             // keep 16-byte alignment at the call
  push %ecx
  push %ebx
  call __mica_start        // does not return
  ud2
  .size _start, . - _start

  .section .note.GNU-stack, "", @progbits
