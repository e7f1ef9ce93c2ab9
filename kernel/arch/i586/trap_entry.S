// Exception and interrupt entry for i586: one 16-byte stub per vector, as on
// x86_64; trap_common saves the registers with pushal (see trap_frame.h) and
// calls i586_trap(frame).

.text
.balign 16
.global trap_stubs
trap_stubs:
.set vector, 0
.rept 256
  .balign 16
  .if (vector == 8) || (vector == 10) || (vector == 11) || (vector == 12) || (vector == 13) || (vector == 14) || (vector == 17) || (vector == 21) || (vector == 29) || (vector == 30)
  .else
    pushl $0
  .endif
  pushl $vector
  jmp trap_common
  .set vector, vector + 1
.endr

trap_common:
  pushal
  push %ds
  push %es
  mov $0x10, %ax
  mov %ax, %ds
  mov %ax, %es
  lea 8(%esp), %eax
  cld
  push %eax
  call i586_trap
  add $4, %esp
  pop %es
  pop %ds
  popal
  add $8, %esp                   // vector and error code
  iret
