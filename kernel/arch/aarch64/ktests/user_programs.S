// Small EL0 programs for the user-mode self-tests (user_ktests.cc copies
// each one's bytes, between its _start and _end labels, to the start of a
// fresh process's code page). Position-independent: only PC-relative
// addressing. They start with arg0 in x0 and arg1 in x1, the stack pointer
// at the top of the process's data page.

// System-call numbers (sysroot/include/mica/syscall.h).
#define SYS_DEBUG_WRITE 0
#define SYS_PROCESS_EXIT 1
#define SYS_YIELD 3
#define SYS_CLOCK_GET 4
#define SYS_THREAD_SET_POINTER 24

.macro program name
  .balign 4
  .global aarch64_user_\name\()_start
aarch64_user_\name\()_start:
.endm

.macro end_program name
  .balign 4
  .global aarch64_user_\name\()_end
aarch64_user_\name\()_end:
.endm

// exit(code in x0).
.macro exit
  mov x8, #SYS_PROCESS_EXIT
  svc #0
  udf #1  // never reached
.endm

.macro exit_with code
  mov x0, #\code
  exit
.endm

  .section .rodata.aarch64_user_programs, "a"

// Writes a line through MICA_SYS_DEBUG_WRITE, then exits with 42 if the
// call returned its length (else 1).
program hello
  adr x0, 1f
  mov x1, #(2f - 1f)
  mov x8, #SYS_DEBUG_WRITE
  svc #0
  cmp x0, #(2f - 1f)
  b.ne 3f
  exit_with 42
3:
  exit_with 1
1:
  .ascii "user_aarch64: hello from EL0\n"
2:
end_program hello

// MICA_SYS_DEBUG_WRITE of the kernel image's first bytes: exits with the
// result (-EFAULT, refused by the range check).
program efault
  movz x0, #0xffff, lsl #48
  movk x0, #0x8, lsl #16  // 0xffff000000080000: the kernel image
  mov x1, #4
  mov x8, #SYS_DEBUG_WRITE
  svc #0
  exit
end_program efault

// The same for an unmapped user address (the copy's fault is recovered).
program efault_unmapped
  movz x0, #0x7000, lsl #16
  mov x1, #4
  mov x8, #SYS_DEBUG_WRITE
  svc #0
  exit
end_program efault_unmapped

// MICA_SYS_CLOCK_GET into the program's own read-only code page: the
// kernel's STTR faults and is recovered; exits with the result.
program clock_to_code
  adr x0, .
  mov x8, #SYS_CLOCK_GET
  svc #0
  exit
end_program clock_to_code

// A load from address 0, at the program's second instruction.
program null_load
  mov x1, #0
  ldr x0, [x1]
  exit_with 1
end_program null_load

// An undefined instruction, first.
program illegal
  udf #0
  exit_with 1
end_program illegal

// A store to its own (read-only) code page, at the second instruction.
program write_code
  adr x0, .
  str x0, [x0]
  exit_with 1
end_program write_code

// brk #0x42, first.
program breakpoint
  brk #0x42
  exit_with 1
end_program breakpoint

// A branch to a misaligned address (kCode + 14).
program pc_alignment
  adr x0, 1f
  add x0, x0, #2
  br x0
1:
  exit_with 1
end_program pc_alignment

// Sets its thread pointer to arg0 (with `msr` if arg1 is 0, else through
// MICA_SYS_THREAD_SET_POINTER), then 200 times: yield, check TPIDR_EL0.
// Exits with 0, or 1 at the first mismatch.
program tls
  mov x19, x0
  cbnz x1, 1f
  msr tpidr_el0, x19
  b 2f
1:
  mov x8, #SYS_THREAD_SET_POINTER
  svc #0
2:
  mov x20, #200
3:
  mov x8, #SYS_YIELD
  svc #0
  mrs x2, tpidr_el0
  cmp x2, x19
  b.ne 4f
  subs x20, x20, #1
  b.ne 3b
  exit_with 0
4:
  exit_with 1
end_program tls

// Every register but the result (x0) survives system calls and interrupts:
// x1-x7, x9-x30 and d0/d31 get distinct values seeded by arg0 (x8 holds the
// call number, which must survive too); then 20 rounds of a
// yield and a busy loop long enough for timer interrupts, each checking all
// of them (and SP). Exits with 0, or 1 at the first mismatch.
.macro set_register n
  add x\n, x0, #(\n * 0x11)
.endm
.macro check_register n
  add x0, x29, #(\n * 0x11)
  cmp x\n, x0
  b.ne 9f
.endm
program registers
  mov x29, x0  // the seed (x29 is last to be set from it, below)
  fmov d0, x0
  mvn x2, x0
  fmov d31, x2
  mov x28, sp
  set_register 1
  set_register 2
  set_register 3
  set_register 4
  set_register 5
  set_register 6
  set_register 7
  set_register 9
  set_register 10
  set_register 11
  set_register 12
  set_register 13
  set_register 14
  set_register 15
  set_register 16
  set_register 17
  set_register 18
  set_register 19
  set_register 20
  set_register 21
  set_register 22
  set_register 23
  set_register 24
  set_register 25
  set_register 26
  set_register 27
  set_register 30
  mov x0, #20
  str x0, [sp, #-16]!  // rounds left
1:
  mov x8, #SYS_YIELD
  svc #0
  cmp x8, #SYS_YIELD
  b.ne 9f
  movz x0, #0x8, lsl #16  // about 0.5 M iterations of a two-instruction loop
2:
  subs x0, x0, #1
  b.ne 2b
  check_register 1
  check_register 2
  check_register 3
  check_register 4
  check_register 5
  check_register 6
  check_register 7
  check_register 9
  check_register 10
  check_register 11
  check_register 12
  check_register 13
  check_register 14
  check_register 15
  check_register 16
  check_register 17
  check_register 18
  check_register 19
  check_register 20
  check_register 21
  check_register 22
  check_register 23
  check_register 24
  check_register 25
  check_register 26
  check_register 27
  check_register 30
  add x0, sp, #16
  cmp x0, x28
  b.ne 9f
  fmov x0, d0
  cmp x0, x29
  b.ne 9f
  fmov x0, d31
  mvn x0, x0
  cmp x0, x29
  b.ne 9f
  ldr x0, [sp]
  subs x0, x0, #1
  str x0, [sp]
  b.ne 1b
  exit_with 0
9:
  exit_with 1
end_program registers

// Spins forever at EL0 if arg0 is 0 (with `yield`: under QEMU -icount a
// bare `b .` at EL0 was seen to keep an idle vCPU from ever running the
// sibling), else counts down from 1M (so the spinning sibling is surely
// running by then) and executes an undefined instruction (its seventh).
program spin_or_fault
  cbnz x0, 1f
3:
  yield
  b 3b
1:
  movz x0, #0x10, lsl #16
2:
  subs x0, x0, #1
  b.ne 2b
  udf #0
end_program spin_or_fault

// arg0 system calls of number arg1, then exit(0).
program syscall_loop
  mov x19, x0
  mov x20, x1
  cbz x19, 2f
1:
  mov x8, x20
  svc #0
  subs x19, x19, #1
  b.ne 1b
2:
  exit_with 0
end_program syscall_loop
