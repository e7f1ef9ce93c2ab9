// spawn.h on mica: mica_spawn_path (libc) reads the program through the
// VFS, registers the child with the router and gives it its descriptors
// before it starts; the child's end is waited for through its handle.
#include <stddef.h>

#include <errno.h>
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
