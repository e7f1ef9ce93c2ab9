// Process end (exit, atexit, abort), and the small <stdlib.h> helpers.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mica/calls.h>
#include <unistd.h>

#include "libc_internal.h"

#define ATEXIT_MAX 64

struct exit_handler {
  void (*fn)(void*);
  void* arg;
};

static struct exit_handler handlers[ATEXIT_MAX];
static int handler_count;
static volatile int handler_lock;

int __mica_atexit(void (*fn)(void*), void* arg) {
  while (__atomic_exchange_n(&handler_lock, 1, __ATOMIC_ACQUIRE)) {
  }
  int result = -1;
  if (handler_count < ATEXIT_MAX) {
    handlers[handler_count].fn = fn;
    handlers[handler_count].arg = arg;
    handler_count++;
    result = 0;
  }
  __atomic_store_n(&handler_lock, 0, __ATOMIC_RELEASE);
  return result;
}

static void call_plain(void* fn) {
  ((void (*)(void))fn)();
}

int atexit(void (*function)(void)) {
  return __mica_atexit(call_plain, (void*)function);
}

void exit(int code) {
  // Handlers may register more handlers: take them one at a time.
  for (;;) {
    while (__atomic_exchange_n(&handler_lock, 1, __ATOMIC_ACQUIRE)) {
    }
    if (handler_count == 0) {
      __atomic_store_n(&handler_lock, 0, __ATOMIC_RELEASE);
      break;
    }
    struct exit_handler h = handlers[--handler_count];
    __atomic_store_n(&handler_lock, 0, __ATOMIC_RELEASE);
    h.fn(h.arg);
  }
  __mica_stdio_flush_all();
  __mica_posix_release();  // descriptors close now, not when the VFS hears of the end
  _Exit(code);
}

void _Exit(int code) {
  mica_process_exit(code);
}

void _exit(int code) {
  mica_process_exit(code);
}

void abort(void) {
  static const char kMessage[] = "abort() called\n";
  __mica_stdio_flush_all();
  mica_debug_write(kMessage, sizeof(kMessage) - 1);
  mica_process_exit(134);  // 128 + SIGABRT, as a shell reports it
}

void __mica_assert_fail(const char* expression, const char* file, int line, const char* function) {
  fprintf(stderr, "%s:%d: %s: assertion failed: %s\n", file, line, function, expression);
  abort();
}

extern char** environ;

char* getenv(const char* name) {
  if (!environ || !name) {
    return NULL;
  }
  size_t n = strlen(name);
  for (char** e = environ; *e; e++) {
    if (strncmp(*e, name, n) == 0 && (*e)[n] == '=') {
      return *e + n + 1;
    }
  }
  return NULL;
}

int abs(int x) {
  return x < 0 ? -x : x;
}
long labs(long x) {
  return x < 0 ? -x : x;
}
long long llabs(long long x) {
  return x < 0 ? -x : x;
}

div_t div(int a, int b) {
  div_t r = {a / b, a % b};
  return r;
}

ldiv_t ldiv(long a, long b) {
  ldiv_t r = {a / b, a % b};
  return r;
}

lldiv_t lldiv(long long a, long long b) {
  lldiv_t r = {a / b, a % b};
  return r;
}

static unsigned long long rand_state = 1;

int rand(void) {
  rand_state = rand_state * 6364136223846793005ull + 1442695040888963407ull;
  return (int)((rand_state >> 33) & RAND_MAX);
}

void srand(unsigned seed) {
  rand_state = seed;
}
