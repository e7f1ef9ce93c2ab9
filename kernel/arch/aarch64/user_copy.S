// Copies between the kernel and user memory (Platform::copy_from_user and
// copy_to_user check the range first, in user.cc).
//
// The user side is accessed with the unprivileged LDTR/STTR, so the MMU
// checks it with EL0's permissions: a page user code could not read (or
// write) faults here too. A fault (an EL1 data abort) whose ELR lies between
// aarch64_user_copy_start and aarch64_user_copy_end does not panic: the
// exception handler resumes at aarch64_user_copy_fault, which returns 1 to
// the caller of the copy routine (these are leaf functions, so x30 still
// holds the return address). What was copied before the fault stays copied.

  .text
  .balign 16
  .global aarch64_user_copy_start
aarch64_user_copy_start:

// int aarch64_copy_from_user(void* to, uintptr_t user_from, size_t size):
// 0, or 1 after a fault.
  .global aarch64_copy_from_user
  .type aarch64_copy_from_user, %function
aarch64_copy_from_user:
  cmp x2, #8
  b.lo 2f
1:  // Eight bytes at a time (unaligned accesses to Normal memory are fine).
  ldtr x3, [x1]
  str x3, [x0], #8
  add x1, x1, #8
  sub x2, x2, #8
  cmp x2, #8
  b.hs 1b
2:
  cbz x2, 4f
3:
  ldtrb w3, [x1]
  strb w3, [x0], #1
  add x1, x1, #1
  subs x2, x2, #1
  b.ne 3b
4:
  mov x0, #0
  ret
  .size aarch64_copy_from_user, . - aarch64_copy_from_user

// int aarch64_copy_to_user(uintptr_t user_to, const void* from, size_t size):
// 0, or 1 after a fault.
  .global aarch64_copy_to_user
  .type aarch64_copy_to_user, %function
aarch64_copy_to_user:
  cmp x2, #8
  b.lo 2f
1:
  ldr x3, [x1], #8
  sttr x3, [x0]
  add x0, x0, #8
  sub x2, x2, #8
  cmp x2, #8
  b.hs 1b
2:
  cbz x2, 4f
3:
  ldrb w3, [x1], #1
  sttrb w3, [x0]
  add x0, x0, #1
  subs x2, x2, #1
  b.ne 3b
4:
  mov x0, #0
  ret
  .size aarch64_copy_to_user, . - aarch64_copy_to_user

  .global aarch64_user_copy_end
aarch64_user_copy_end:

// Where a faulting copy resumes (outside the range above).
  .global aarch64_user_copy_fault
  .type aarch64_user_copy_fault, %function
aarch64_user_copy_fault:
  mov x0, #1
  ret
  .size aarch64_user_copy_fault, . - aarch64_user_copy_fault
