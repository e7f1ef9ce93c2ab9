// Hand-written ring-3 programs for user_ktests.cc, which copies the bytes
// between each program's two labels into a fresh process at USER_TEST_CODE.
// Each is position-independent; fixed addresses come from user_programs.h.
#include "user_programs.h"

.section .rodata, "a"

.macro PROGRAM name
.balign 16
.global user_test_\name
user_test_\name:
.endm

.macro END name
.global user_test_\name\()_end
user_test_\name\()_end:
.endm

.macro EXIT code
  mov $SYS_PROCESS_EXIT, %eax
  mov $\code, %edi
  syscall
  ud2
.endm

// (a) Writes a line on the console from its own memory, then exits with 42.
PROGRAM hello
  mov $SYS_DEBUG_WRITE, %eax
  lea 1f(%rip), %rdi
  mov $(2f - 1f), %esi
  syscall
  cmp $(2f - 1f), %rax
  jne 3f
  EXIT 42
3:
  EXIT 1
1:
  .ascii "user_x86_64: hello from ring 3\n"
2:
END hello

// (b) Passes bad buffers to DEBUG_WRITE: a (mapped) kernel address in RDI,
// an unmapped user page, a range running off its stack page, one crossing
// kUserTop and one wrapping around; each must give -EFAULT, the last
// becomes the exit code. A wrong result exits with 1..4.
PROGRAM efault
  mov $SYS_DEBUG_WRITE, %eax
  mov $4, %esi
  syscall
  cmp $-14, %rax
  jne 1f
  mov $SYS_DEBUG_WRITE, %eax
  mov $0x10, %edi
  mov $4, %esi
  syscall
  cmp $-14, %rax
  jne 2f
  mov $SYS_DEBUG_WRITE, %eax
  mov $(USER_TEST_STACK_TOP - 8), %edi
  mov $16, %esi
  syscall
  cmp $-14, %rax
  jne 3f
  mov $SYS_DEBUG_WRITE, %eax
  movabs $0x00007ffffffffff8, %rdi
  mov $16, %esi
  syscall
  cmp $-14, %rax
  jne 4f
  mov $SYS_DEBUG_WRITE, %eax
  mov $-8, %rdi
  mov $16, %esi
  syscall
  mov %rax, %rdi
  mov $SYS_PROCESS_EXIT, %eax
  syscall
  ud2
1:
  EXIT 1
2:
  EXIT 2
3:
  EXIT 3
4:
  EXIT 4
END efault

// (c) Loads from address 0.
PROGRAM null_load
  xor %eax, %eax
  mov (%rax), %rax
  EXIT 1
END null_load

// (d) An undefined instruction.
PROGRAM illegal
  ud2
END illegal

// (e) Writes its own (read-only) code page.
PROGRAM write_code
  lea user_test_write_code(%rip), %rax
  movb $0x90, (%rax)
  EXIT 1
END write_code

// A privileged instruction: #GP.
PROGRAM privileged
  cli
  EXIT 1
END privileged

// Reads the kernel's memory at RDI: a present page, but not a user one.
PROGRAM read_kernel
  mov (%rdi), %rax
  EXIT 1
END read_kernel

// Keeps its marker (RDI) in an SSE register while it spins for
// USER_TEST_SPIN_ROUNDS rounds without a system call, so that timer
// interrupts preempt it in ring 3 and its first SSE instruction takes the
// lazy-FPU trap from ring 3; exits with 5, or 99 if the register changed.
PROGRAM spin
  movq %rdi, %xmm1
  mov $USER_TEST_SPIN_ROUNDS, %ecx
1:
  movq %xmm1, %rax
  cmp %rdi, %rax
  jne 2f
  dec %ecx
  jnz 1b
  EXIT 5
2:
  EXIT 99
END spin

// Single-steps into a SYSCALL (TF set by the POPF just before it), which
// exits with 3: the debug trap after the SYSCALL lands on the kernel's entry
// and must be ignored.
PROGRAM step_syscall
  mov $SYS_PROCESS_EXIT, %eax
  mov $3, %edi
  pushfq
  orq $0x100, (%rsp)
  popfq
  syscall
  ud2
END step_syscall

// (f) Writes port 0x80 (the POST diagnostic port), then exits with 7.
PROGRAM port_out
  mov $0x80, %edx
  xor %eax, %eax
  out %al, %dx
  EXIT 7
END port_out

// (f) Reads port 0x81, then exits with 8.
PROGRAM port_in
  mov $0x81, %edx
  in %dx, %al
  EXIT 8
END port_in

// (g) Two threads, each with its own thread pointer (FS base; RDI: its TLS
// block, whose first word is a marker), yield USER_TEST_TLS_ROUNDS times and
// check after each that %fs:0 still reads their marker. RSI: 1 for the
// worker, which then sets the done flag and exits its thread; 0 for the
// waiter, which keeps yielding and checking until the flag is set, then
// exits the process with 0. A mismatch exits with 99.
PROGRAM tls
  mov %rdi, %r12
  mov (%rdi), %r13
  mov %rsi, %r14
  mov $SYS_THREAD_SET_POINTER, %eax
  syscall
  test %rax, %rax
  jnz 5f
  mov $USER_TEST_TLS_ROUNDS, %r15d
1:
  mov $SYS_YIELD, %eax
  syscall
  mov %fs:0, %rax
  cmp %r13, %rax
  jne 4f
  dec %r15d
  jnz 1b
  test %r14, %r14
  jz 2f
  movq $1, USER_TEST_DONE
  mov $SYS_THREAD_EXIT, %eax
  syscall
  ud2
2:
  mov $SYS_YIELD, %eax
  syscall
  mov %fs:0, %rax
  cmp %r13, %rax
  jne 4f
  cmpq $0, USER_TEST_DONE
  je 2b
  EXIT 0
4:
  EXIT 99
5:
  EXIT 98
END tls

// Counts (in TSC ticks: guest instructions under -icount) one round trip
// of an unimplemented system call, after a warm-up call, and exits with the
// count.
PROGRAM null_syscall
  mov $USER_TEST_UNUSED_SYSCALL, %eax
  syscall
  rdtsc
  shl $32, %rdx
  or %rdx, %rax
  mov %rax, %r12
  mov $USER_TEST_UNUSED_SYSCALL, %eax
  syscall
  rdtsc
  shl $32, %rdx
  or %rdx, %rax
  sub %r12, %rax
  mov %rax, %rdi
  mov $SYS_PROCESS_EXIT, %eax
  syscall
  ud2
END null_syscall
