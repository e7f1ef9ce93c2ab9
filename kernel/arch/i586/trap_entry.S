// Exception, interrupt and system-call entry for i586: one 16-byte stub per
// vector, as on x86_64; trap_common saves the general registers (the
// system-call arguments consecutive) and the segment registers (see
// trap_frame.h) and calls i586_trap(frame). The system-call gate (int
// $0x80) builds the same frame and calls i586_syscall. Both return through
// i586_trap_return, which pops GS: the reload picks up the thread-pointer
// descriptor of whichever thread runs by then.

// Completes the TrapFrame (trap_frame.h) above the vector and error code:
// the general registers, the system-call arguments consecutive, then the
// segment registers; loads the kernel data segment and pushes the frame's
// address, the argument of the C handler called next (cdecl).
.macro save_trap_frame
  push %eax
  push %ebp
  push %edi
  push %esi
  push %edx
  push %ecx
  push %ebx
  push %ds
  push %es
  push %fs
  push %gs
  mov $0x10, %ax
  mov %ax, %ds
  mov %ax, %es
  mov %esp, %eax
  cld
  push %eax
.endm

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
  save_trap_frame
  call i586_trap
  add $4, %esp
.global i586_trap_return
i586_trap_return:
  pop %gs
  pop %fs
  pop %es
  pop %ds
  pop %ebx
  pop %ecx
  pop %edx
  pop %esi
  pop %edi
  pop %ebp
  pop %eax
  add $8, %esp                   // vector and error code
  iret

// int $0x80 from user mode (the gate masks interrupts; i586_syscall enables
// them). From a 16-byte-aligned esp0 the call below is 16-byte aligned.
.balign 16
.global i586_syscall_entry
.type i586_syscall_entry, @function
i586_syscall_entry:
  pushl $0
  pushl $0x80
  save_trap_frame
  call i586_syscall
  add $4, %esp
  jmp i586_trap_return
.size i586_syscall_entry, . - i586_syscall_entry

// [[noreturn]] void i586_enter_user(uint32_t ip, uint32_t sp, uint32_t arg0,
//                                   uint32_t arg1)  (cdecl; interrupts masked)
// The first entry to user mode: arg0 in ebx, arg1 in ecx, every other
// general register zero, GS the thread-pointer segment, interrupts on.
.balign 16
.global i586_enter_user
.type i586_enter_user, @function
i586_enter_user:
  mov 4(%esp), %eax              // ip
  mov 8(%esp), %edx              // sp
  mov 12(%esp), %ebx             // arg0
  mov 16(%esp), %ecx             // arg1
  pushl $0x23                    // ss: user data
  pushl %edx                     // esp
  pushl $0x202                   // eflags: IF
  pushl $0x1b                    // cs: user code
  pushl %eax                     // eip
  mov $0x23, %ax
  mov %ax, %ds
  mov %ax, %es
  xor %eax, %eax
  mov %ax, %fs
  mov $0x3b, %ax
  mov %ax, %gs
  xor %eax, %eax
  xor %edx, %edx
  xor %esi, %esi
  xor %edi, %edi
  xor %ebp, %ebp
  iret
.size i586_enter_user, . - i586_enter_user

// bool i586_copy_user(void* dst, const void* src, size_t n)  (cdecl)
// The one routine that touches user memory. A page or protection fault
// between i586_copy_user_start and i586_copy_user_end resumes at
// i586_copy_user_fault (see trap.cc), which returns false.
.balign 16
.global i586_copy_user
.type i586_copy_user, @function
i586_copy_user:
  push %esi
  push %edi
  mov 12(%esp), %edi
  mov 16(%esp), %esi
  mov 20(%esp), %ecx
  mov %ecx, %edx
  shr $2, %ecx
.global i586_copy_user_start
i586_copy_user_start:
  rep movsl
  mov %edx, %ecx
  and $3, %ecx
  rep movsb
.global i586_copy_user_end
i586_copy_user_end:
  mov $1, %eax
  pop %edi
  pop %esi
  ret
.global i586_copy_user_fault
i586_copy_user_fault:
  xor %eax, %eax
  pop %edi
  pop %esi
  ret
.size i586_copy_user, . - i586_copy_user
