// spawn.h on mica: mica_spawn_path (libc) reads the program through the
// VFS, registers the child with the router and gives it its descriptors
// before it starts; the child's end is waited for through its handle.
#include <stddef.h>

#include <errno.h>
#include <mica/calls.h>
#include <mica/protocol.h>
#include <mica/spawn.h>
#include <sys/wait.h>

#include "spawn.h"

int sh_spawn(const char* path, char* const argv[], char* const envp[], int fd_in, int fd_out,
             int fd_err, long* pid_out) {
  const int fds[3][2] = {{0, fd_in}, {1, fd_out}, {2, fd_err}};
  pid_t pid;
  int r = mica_spawn_path(path, argv, envp, fds, 3, &pid);
  if (r < 0) {
    return -r;
  }
  *pid_out = pid;
  return 0;
}

int sh_wait(long pid, int* exit_status) {
  int status;
  if (waitpid((pid_t)pid, &status, 0) < 0) {
    return errno;
  }
  *exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return 0;
}

// The console server, looked up once.
static mica_handle_t console(void) {
  static mica_handle_t endpoint = MICA_HANDLE_INVALID;
  static int looked_up = 0;
  if (!looked_up) {
    looked_up = 1;
    if (mica_service_lookup(MICA_SERVICE_CONSOLE, &endpoint) != 0) endpoint = MICA_HANDLE_INVALID;
  }
  return endpoint;
}

static void set_foreground(mica_handle_t process, uintptr_t flags) {
  struct mica_message m = {0};
  m.label = MICA_CONSOLE_SET_FOREGROUND;
  m.words[0] = flags;
  m.handle = process;
  (void)mica_ipc_call_message(console(), &m);
}

void sh_set_foreground(const long* pids, size_t count) {
  if (console() == MICA_HANDLE_INVALID) return;
  if (count == 0) {
    set_foreground(MICA_HANDLE_INVALID, 0);
    return;
  }
  uintptr_t flags = 0;  // the first replaces, the others add
  for (size_t i = 0; i < count; i++) {
    mica_handle_t child = mica_child_process((pid_t)pids[i]);
    mica_handle_t copy;
    if (child == MICA_HANDLE_INVALID ||
        mica_handle_duplicate(child, MICA_RIGHT_MANAGE | MICA_RIGHT_TRANSFER, &copy) != 0) {
      continue;
    }
    set_foreground(copy, flags);
    flags = MICA_CONSOLE_FOREGROUND_ADD;
  }
}
