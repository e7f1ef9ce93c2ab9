// Hand-written ring-3 programs for the user-mode self-tests (user_ktests.cc
// copies the bytes between each pair of labels into a fresh process). They
// are position-independent: call/pop finds their own address. System calls:
// int $0x80, number in eax, arguments in ebx ecx edx esi edi ebp, result in
// eax (sysroot/include/mica/syscall.h).

#define SYS_DEBUG_WRITE 0
#define SYS_PROCESS_EXIT 1
#define SYS_YIELD 3
#define SYS_THREAD_SET_POINTER 24

.section .rodata
.code32

// (a) debug_write(message) then process_exit(42).
.global i586_user_hello_start, i586_user_hello_end
i586_user_hello_start:
  call 1f
1:
  pop %ebx
  add $(2f - 1b), %ebx
  mov $(3f - 2f), %ecx
  mov $SYS_DEBUG_WRITE, %eax
  int $0x80
  mov $SYS_PROCESS_EXIT, %eax
  mov $42, %ebx
  int $0x80
  ud2
2:
  .ascii "i586 user: hello from ring 3\n"
3:
i586_user_hello_end:

// (b) debug_write(arg0, 16), arg0 a kernel or unmapped address: exits with
// its result (-EFAULT).
.global i586_user_efault_start, i586_user_efault_end
i586_user_efault_start:
  mov $SYS_DEBUG_WRITE, %eax
  mov $16, %ecx
  int $0x80
  mov %eax, %ebx
  mov $SYS_PROCESS_EXIT, %eax
  int $0x80
  ud2
i586_user_efault_end:

// (c) a load from address 0.
.global i586_user_null_load_start, i586_user_null_load_end
i586_user_null_load_start:
  movl 0, %eax
  ud2
i586_user_null_load_end:

// (d) an illegal instruction.
.global i586_user_illegal_start, i586_user_illegal_end
i586_user_illegal_start:
  nop
  ud2
i586_user_illegal_end:

// (e) a store into its own (read-only) code page.
.global i586_user_write_code_start, i586_user_write_code_end
i586_user_write_code_start:
  call 1f
1:
  pop %eax
  movl $0, (%eax)
  ud2
i586_user_write_code_end:

// (f) writes 0xa5 to the COM1 scratch register (port 0x3ff), reads it back
// and exits with the value: faults unless the port is granted.
.global i586_user_port_start, i586_user_port_end
i586_user_port_start:
  mov $0x3ff, %dx
  mov $0xa5, %al
  outb %al, %dx
  xor %eax, %eax
  inb %dx, %al
  mov %eax, %ebx
  mov $SYS_PROCESS_EXIT, %eax
  int $0x80
  ud2
i586_user_port_end:

// (g) arg0: a thread pointer, arg1: the word at it. Sets its thread pointer,
// then 200 times yields and checks %gs:0 still reads that word; exits 0, or
// 1 + the round at which it did not.
.global i586_user_tls_start, i586_user_tls_end
i586_user_tls_start:
  mov %ecx, %edi                 // the expected word
  mov $SYS_THREAD_SET_POINTER, %eax
  int $0x80                      // ebx: the pointer
  mov $200, %esi
1:
  mov $SYS_YIELD, %eax
  int $0x80
  cmp %gs:0, %edi
  jne 2f
  dec %esi
  jnz 1b
  mov $SYS_PROCESS_EXIT, %eax
  xor %ebx, %ebx
  int $0x80
  ud2
2:
  lea 1(%esi), %ebx
  mov $SYS_PROCESS_EXIT, %eax
  int $0x80
  ud2
i586_user_tls_end:

// A null system call loop for counting instructions: arg0 round trips of
// system call number arg1, then process_exit(0).
.global i586_user_syscall_loop_start, i586_user_syscall_loop_end
i586_user_syscall_loop_start:
  mov %ebx, %esi
  mov %ecx, %edi
1:
  mov %edi, %eax
  int $0x80
  dec %esi
  jnz 1b
  mov $SYS_PROCESS_EXIT, %eax
  xor %ebx, %ebx
  int $0x80
  ud2
i586_user_syscall_loop_end:

// Like tls, but never yields: 3M rounds of checking %gs:0 while the timer
// preempts it (ring 3 -> interrupt -> another thread -> back).
.global i586_user_tls_spin_start, i586_user_tls_spin_end
i586_user_tls_spin_start:
  mov %ecx, %edi
  mov $SYS_THREAD_SET_POINTER, %eax
  int $0x80
  mov $3000000, %esi
1:
  cmp %gs:0, %edi
  jne 2f
  dec %esi
  jnz 1b
  mov $SYS_PROCESS_EXIT, %eax
  xor %ebx, %ebx
  int $0x80
  ud2
2:
  mov $SYS_PROCESS_EXIT, %eax
  mov $1, %ebx
  int $0x80
  ud2
i586_user_tls_spin_end:

// x87 arithmetic in ring 3 (the lazy FPU trap from user mode): exits with
// 2 + 3 computed on the FPU.
.global i586_user_fpu_start, i586_user_fpu_end
i586_user_fpu_start:
  fninit
  movl $2, -4(%esp)
  movl $3, -8(%esp)
  fildl -4(%esp)
  fildl -8(%esp)
  faddp
  fistpl -12(%esp)
  mov -12(%esp), %ebx
  mov $SYS_PROCESS_EXIT, %eax
  int $0x80
  ud2
i586_user_fpu_end:

// int3: a breakpoint fault (its gate is open to ring 3).
.global i586_user_breakpoint_start, i586_user_breakpoint_end
i586_user_breakpoint_start:
  int3
  ud2
i586_user_breakpoint_end:

// int $0x21: a gate ring 3 may not use, a protection fault.
.global i586_user_closed_gate_start, i586_user_closed_gate_end
i586_user_closed_gate_start:
  int $0x21
  ud2
i586_user_closed_gate_end:

// Division by zero.
.global i586_user_divide_start, i586_user_divide_end
i586_user_divide_start:
  xor %ecx, %ecx
  mov $1, %eax
  xor %edx, %edx
  div %ecx
  ud2
i586_user_divide_end:
