// The ways in and out of user mode: the SYSCALL entry and its SYSRET exit,
// the first entry of a thread (IRETQ), and the user-memory copy routine
// whose faults the trap handler recovers from (user.cc).
#include <arch/x86_64/entry_offsets.h>

.text

// SYSCALL: RCX = the user RIP, R11 = the user RFLAGS; the CPU masked the
// SFMASK flags (IF among them) and loaded the kernel CS/SS, but RSP and the
// GS base are still the user's. Builds a TrapFrame (trap_frame.h) on the
// thread's kernel stack and calls x86_64_syscall(frame), which runs the call
// with interrupts enabled and returns with them masked, the frame checked
// (RIP below kUserTop, so canonical: SYSRET with a non-canonical RCX would
// fault in ring 0 on the user's stack; RFLAGS sanitized).
//
// The frame holds every register but RCX and R11, which SYSCALL itself
// clobbers (their values are the frame's RIP and RFLAGS; the ABI:
// sysroot/include/mica/syscall.h). The ordinary way back does not reload
// RBX and R12-R15: the kernel's C code preserves callee-saved registers, so
// they still hold the user's values. A thread that an IPC resumes straight
// in user mode, its kernel stack abandoned (x86_64_syscall_resume_exit),
// takes them from the frame.
.balign 16
.global x86_64_syscall_entry
.type x86_64_syscall_entry, @function
x86_64_syscall_entry:
  swapgs
  mov %rsp, %gs:PER_CPU_USER_RSP
  mov %gs:PER_CPU_KERNEL_STACK_TOP, %rsp
  pushq $SELECTOR_USER_DATA        // ss
  pushq %gs:PER_CPU_USER_RSP       // rsp
  pushq %r11                       // rflags
  pushq $SELECTOR_USER_CODE        // cs
  pushq %rcx                       // rip
  pushq $0                         // error
  pushq $SYSCALL_FRAME_VECTOR      // vector
  push %r9
  push %r8
  push %r10
  push %rdx
  push %rsi
  push %rdi
  push %rax
  push %rbp
  sub $16, %rsp                    // rcx r11: not saved
  push %rbx
  push %r12
  push %r13
  push %r14
  push %r15
  // No frame-pointer chain into user space: backtraces stop here.
  xor %ebp, %ebp
  mov %rsp, %rdi
  call x86_64_syscall
  add $SYSCALL_FRAME_UNSAVED, %rsp // r15..rbx as they are, rcx r11
.Lsyscall_exit:
  pop %rbp
  pop %rax
  pop %rdi
  pop %rsi
  pop %rdx
  pop %r10
  pop %r8
  pop %r9
  add $16, %rsp                    // vector and error code
  pop %rcx                         // rip
  add $8, %rsp                     // cs
  pop %r11                         // rflags
  // Interrupts stay masked from here to SYSRET (R11 has IF set, and SYSRET
  // loads it only as it leaves ring 0); an NMI would take its IST stack.
  pop %rsp                         // the user's
  swapgs
  sysretq
.size x86_64_syscall_entry, . - x86_64_syscall_entry

// Where a thread resumed by Platform::init_context_syscall_return goes once
// x86_64_syscall_resume (user.cc) has run: RSP at its TrapFrame, interrupts
// masked. Its kernel stack above the frame is abandoned, so the
// callee-saved registers come from the frame, then the ordinary exit.
.balign 16
.global x86_64_syscall_resume_trampoline
.type x86_64_syscall_resume_trampoline, @function
x86_64_syscall_resume_trampoline:
  mov %r12, %rdi                   // the frame (init_context_syscall_return)
  call x86_64_syscall_resume
  mov %r12, %rsp
  pop %r15
  pop %r14
  pop %r13
  pop %r12
  pop %rbx
  add $16, %rsp                    // rcx r11
  jmp .Lsyscall_exit
.size x86_64_syscall_resume_trampoline, . - x86_64_syscall_resume_trampoline

// void x86_64_switch_to_syscall_return(void* from /* rdi */, void* frame /* rsi */)
// With interrupts masked: the first half of x86_64_switch_context, then the
// trampoline on `frame` (16-aligned, at the top of the next thread's kernel
// stack, everything below it abandoned).
.balign 16
.global x86_64_switch_to_syscall_return
.type x86_64_switch_to_syscall_return, @function
x86_64_switch_to_syscall_return:
  push %rbx
  push %rbp
  push %r12
  push %r13
  push %r14
  push %r15
  mov %rsp, (%rdi)
  mov %rsi, %rsp
  mov %rsi, %r12
  xor %ebp, %ebp
  jmp x86_64_syscall_resume_trampoline
.size x86_64_switch_to_syscall_return, . - x86_64_switch_to_syscall_return

// [[noreturn]] void x86_64_enter_user(uintptr_t ip /* rdi */, uintptr_t sp /* rsi */,
//     uintptr_t arg0 /* rdx */, uintptr_t arg1 /* rcx */, uintptr_t kernel_stack_top /* r8 */)
// Called with interrupts masked. Drops whatever the kernel stack held (the
// thread starts over at its top) and leaves for ring 3 with every register
// but RSP, RDI and RSI zero.
.balign 16
.global x86_64_enter_user
.type x86_64_enter_user, @function
x86_64_enter_user:
  mov %r8, %rsp
  pushq $SELECTOR_USER_DATA        // ss
  pushq %rsi                       // rsp
  pushq $USER_RFLAGS_SET           // rflags: IF
  pushq $SELECTOR_USER_CODE        // cs
  pushq %rdi                       // rip
  mov %rdx, %rdi
  mov %rcx, %rsi
  xor %eax, %eax
  xor %ebx, %ebx
  xor %ecx, %ecx
  xor %edx, %edx
  xor %ebp, %ebp
  xor %r8d, %r8d
  xor %r9d, %r9d
  xor %r10d, %r10d
  xor %r11d, %r11d
  xor %r12d, %r12d
  xor %r13d, %r13d
  xor %r14d, %r14d
  xor %r15d, %r15d
  swapgs
  iretq
.size x86_64_enter_user, . - x86_64_enter_user

// bool x86_64_copy_user(void* to /* rdi */, const void* from /* rsi */, size_t n /* rdx */)
// Copies n bytes; the caller checked that the user side lies in
// [0, kUserTop). A page fault (or #GP) at x86_64_copy_user_access makes
// the trap handler resume at x86_64_copy_user_fixup, which returns false.
.balign 16
.global x86_64_copy_user
.type x86_64_copy_user, @function
x86_64_copy_user:
  mov %rdx, %rcx
.global x86_64_copy_user_access
x86_64_copy_user_access:
  rep movsb
  mov $1, %eax
  ret
.global x86_64_copy_user_fixup
x86_64_copy_user_fixup:
  xor %eax, %eax
  ret
.size x86_64_copy_user, . - x86_64_copy_user
