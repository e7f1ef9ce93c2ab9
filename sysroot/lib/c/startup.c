// Process start: crt0's _start calls __mica_start with the start-up block.
#include <stdlib.h>

#include <mica/startup.h>

#include "libc_internal.h"

extern int main(int argc, char** argv, char** envp);

// The linker defines these around .init_array.
extern void (*const __init_array_start[])(void) __attribute__((weak, visibility("hidden")));
extern void (*const __init_array_end[])(void) __attribute__((weak, visibility("hidden")));

char** environ;

static const struct mica_startup* startup_block;
static struct mica_thread main_thread;

const struct mica_startup* mica_startup_block(void) {
  return startup_block;
}

mica_handle_t mica_startup_handle(uint32_t tag) {
  if (!startup_block) {
    return MICA_HANDLE_INVALID;
  }
  uint32_t count = startup_block->handle_count;
  if (count > MICA_STARTUP_MAX_HANDLES) {
    count = MICA_STARTUP_MAX_HANDLES;
  }
  for (uint32_t i = 0; i < count; i++) {
    if (startup_block->handle_tags[i] == tag) {
      return startup_block->handles[i];
    }
  }
  return MICA_HANDLE_INVALID;
}

__attribute__((noreturn, used)) void __mica_start(const struct mica_startup* startup,
                                                  uintptr_t arg1) {
  static char* empty[1] = {NULL};
  __mica_thread_attach(&main_thread);
  int argc = 0;
  char** argv = empty;
  char** envp = empty;
  if (startup && startup->magic == MICA_STARTUP_MAGIC) {
    startup_block = startup;
    if (startup->argv) {
      argc = (int)startup->argc;
      argv = startup->argv;
    }
    if (startup->envp) {
      envp = startup->envp;
    }
  }
  environ = envp;
  for (void (*const* f)(void) = __init_array_start; f < __init_array_end; f++) {
    (*f)();
  }
  exit(main(argc, argv, envp));
}
