// <setjmp.h>: non-local jumps (callee-saved registers, stack and return
// address; no signal mask).
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__x86_64__)
typedef unsigned long jmp_buf[8];  // rbx rbp r12 r13 r14 r15 rsp rip
#elif defined(__i386__)
typedef unsigned long jmp_buf[6];  // ebx esi edi ebp esp eip
#elif defined(__aarch64__)
typedef unsigned long jmp_buf[22];  // x19-x30, sp, d8-d15
#else
typedef unsigned long jmp_buf[32];
#endif

int setjmp(jmp_buf env) __attribute__((returns_twice));
__attribute__((noreturn)) void longjmp(jmp_buf env, int value);

#ifdef __cplusplus
}
#endif
