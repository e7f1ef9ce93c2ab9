// The address layout of the user-mode self-tests' programs
// (user_programs.S), shared with user_ktests.cc.
#pragma once

#define USER_TEST_CODE 0x400000   // one page, read and execute
#define USER_TEST_DATA 0x600000   // one page, read and write
#define USER_TEST_STACK 0x800000  // one page, read and write
#define USER_TEST_STACK_TOP (USER_TEST_STACK + 0x1000)

// In the data page: the thread-pointer test's two TLS blocks and the flag
// its second thread sets when done.
#define USER_TEST_TLS_A (USER_TEST_DATA + 0x100)
#define USER_TEST_TLS_B (USER_TEST_DATA + 0x200)
#define USER_TEST_DONE (USER_TEST_DATA + 0x300)
#define USER_TEST_TLS_ROUNDS 200

// About 20 ms of guest instructions (4 a round) under -icount.
#define USER_TEST_SPIN_ROUNDS 5000000

// mica/syscall.h's call numbers (an enum there; user_ktests.cc checks).
#define SYS_DEBUG_WRITE 0
#define SYS_PROCESS_EXIT 1
#define SYS_THREAD_EXIT 2
#define SYS_YIELD 3
#define SYS_THREAD_SET_POINTER 24

// A system-call number nothing implements (the null call's stand-in).
#define USER_TEST_UNUSED_SYSCALL 63
