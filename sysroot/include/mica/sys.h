// Raw system calls: one inline-asm stub per argument count, for the register
// convention in <mica/syscall.h>. Each returns the kernel's result register:
// a value >= 0, or a negated mica status (-ENOENT, ...). Most code calls the
// typed wrappers of <mica/calls.h> instead.
#pragma once

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// The four result words of an IPC call (result registers 1..4).
struct mica_syscall_words {
  uintptr_t words[4];
};

#if defined(__x86_64__)

static inline intptr_t mica_syscall6(uintptr_t n, uintptr_t a0, uintptr_t a1, uintptr_t a2,
                                     uintptr_t a3, uintptr_t a4, uintptr_t a5) {
  intptr_t ret;
  register uintptr_t r10 __asm__("r10") = a3;
  register uintptr_t r8 __asm__("r8") = a4;
  register uintptr_t r9 __asm__("r9") = a5;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(n), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
}

// Five arguments in, the result and four words out (IPC call).
static inline intptr_t mica_syscall5_words(uintptr_t n, uintptr_t a0, uintptr_t a1, uintptr_t a2,
                                           uintptr_t a3, uintptr_t a4,
                                           struct mica_syscall_words* out) {
  intptr_t ret;
  register uintptr_t r10 __asm__("r10") = a3;
  register uintptr_t r8 __asm__("r8") = a4;
  __asm__ volatile("syscall"
                   : "=a"(ret), "+S"(a1), "+d"(a2), "+r"(r10), "+r"(r8)
                   : "a"(n), "D"(a0)
                   : "rcx", "r11", "r9", "memory");
  out->words[0] = a1;
  out->words[1] = a2;
  out->words[2] = r10;
  out->words[3] = r8;
  return ret;
}

#elif defined(__i386__)

// ebp (argument 5) may be the frame pointer, which inline asm cannot name:
// the stub saves it and loads argument 5 from memory.
static inline intptr_t mica_syscall6(uintptr_t n, uintptr_t a0, uintptr_t a1, uintptr_t a2,
                                     uintptr_t a3, uintptr_t a4, uintptr_t a5) {
  intptr_t ret;
  uintptr_t block[2] = {n, a5};
  __asm__ volatile(
      "push %%ebp\n\t"
      "mov 4(%%eax), %%ebp\n\t"
      "mov (%%eax), %%eax\n\t"
      "int $0x80\n\t"
      "pop %%ebp"
      : "=a"(ret)
      : "a"(block), "b"(a0), "c"(a1), "d"(a2), "S"(a3), "D"(a4)
      : "memory");
  return ret;
}

static inline intptr_t mica_syscall5_words(uintptr_t n, uintptr_t a0, uintptr_t a1, uintptr_t a2,
                                           uintptr_t a3, uintptr_t a4,
                                           struct mica_syscall_words* out) {
  intptr_t ret;
  __asm__ volatile("int $0x80"
                   : "=a"(ret), "+c"(a1), "+d"(a2), "+S"(a3), "+D"(a4)
                   : "a"(n), "b"(a0)
                   : "memory");
  out->words[0] = a1;
  out->words[1] = a2;
  out->words[2] = a3;
  out->words[3] = a4;
  return ret;
}

#elif defined(__aarch64__)

static inline intptr_t mica_syscall6(uintptr_t n, uintptr_t a0, uintptr_t a1, uintptr_t a2,
                                     uintptr_t a3, uintptr_t a4, uintptr_t a5) {
  register uintptr_t x8 __asm__("x8") = n;
  register uintptr_t x0 __asm__("x0") = a0;
  register uintptr_t x1 __asm__("x1") = a1;
  register uintptr_t x2 __asm__("x2") = a2;
  register uintptr_t x3 __asm__("x3") = a3;
  register uintptr_t x4 __asm__("x4") = a4;
  register uintptr_t x5 __asm__("x5") = a5;
  __asm__ volatile("svc #0"
                   : "+r"(x0)
                   : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
                   : "memory");
  return (intptr_t)x0;
}

static inline intptr_t mica_syscall5_words(uintptr_t n, uintptr_t a0, uintptr_t a1, uintptr_t a2,
                                           uintptr_t a3, uintptr_t a4,
                                           struct mica_syscall_words* out) {
  register uintptr_t x8 __asm__("x8") = n;
  register uintptr_t x0 __asm__("x0") = a0;
  register uintptr_t x1 __asm__("x1") = a1;
  register uintptr_t x2 __asm__("x2") = a2;
  register uintptr_t x3 __asm__("x3") = a3;
  register uintptr_t x4 __asm__("x4") = a4;
  __asm__ volatile("svc #0"
                   : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4)
                   : "r"(x8)
                   : "x5", "memory");
  out->words[0] = x1;
  out->words[1] = x2;
  out->words[2] = x3;
  out->words[3] = x4;
  return (intptr_t)x0;
}

#else
#error "mica/sys.h: unsupported architecture"
#endif

static inline intptr_t mica_syscall0(uintptr_t n) {
  return mica_syscall6(n, 0, 0, 0, 0, 0, 0);
}
static inline intptr_t mica_syscall1(uintptr_t n, uintptr_t a0) {
  return mica_syscall6(n, a0, 0, 0, 0, 0, 0);
}
static inline intptr_t mica_syscall2(uintptr_t n, uintptr_t a0, uintptr_t a1) {
  return mica_syscall6(n, a0, a1, 0, 0, 0, 0);
}
static inline intptr_t mica_syscall3(uintptr_t n, uintptr_t a0, uintptr_t a1, uintptr_t a2) {
  return mica_syscall6(n, a0, a1, a2, 0, 0, 0);
}
static inline intptr_t mica_syscall4(uintptr_t n, uintptr_t a0, uintptr_t a1, uintptr_t a2,
                                     uintptr_t a3) {
  return mica_syscall6(n, a0, a1, a2, a3, 0, 0);
}
static inline intptr_t mica_syscall5(uintptr_t n, uintptr_t a0, uintptr_t a1, uintptr_t a2,
                                     uintptr_t a3, uintptr_t a4) {
  return mica_syscall6(n, a0, a1, a2, a3, a4, 0);
}

#ifdef __cplusplus
}
#endif
