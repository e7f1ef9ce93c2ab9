// sh_spawn and sh_wait on a POSIX host (Linux, glibc): posix_spawn with
// file actions. Only for the host build of the shell and its tests.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn.h"

int sh_spawn(const char* path, char* const argv[], char* const envp[], int fd_in, int fd_out,
             int fd_err, long* pid_out) {
  // Move the three sources out of 0..2 first (close-on-exec copies), so that
  // dup2 onto 0 cannot clobber a source still needed for 1 or 2.
  int sources[3] = {fd_in, fd_out, fd_err};
  int copies[3] = {-1, -1, -1};
  int error = 0;
  for (int i = 0; i < 3 && error == 0; i++) {
    copies[i] = fcntl(sources[i], F_DUPFD_CLOEXEC, 3);
    if (copies[i] < 0) error = errno;
  }
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  if (error == 0) {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
    for (int i = 0; i < 3; i++) posix_spawn_file_actions_adddup2(&actions, copies[i], i);
    // The shell ignores SIGPIPE for its builtins; its children must not.
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigset_t mask;
    sigemptyset(&mask);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setsigmask(&attributes, &mask);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    pid_t pid = 0;
    error = posix_spawn(&pid, path, &actions, &attributes, argv, envp);
    if (error == 0) *pid_out = pid;
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
  }
  for (int i = 0; i < 3; i++) {
    if (copies[i] >= 0) close(copies[i]);
  }
  return error;
}

int sh_wait(long pid, int* exit_status) {
  int status = 0;
  while (waitpid((pid_t)pid, &status, 0) < 0) {
    if (errno != EINTR) return errno;
  }
  if (WIFEXITED(status)) {
    *exit_status = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    *exit_status = 128 + WTERMSIG(status);
  } else {
    *exit_status = 255;
  }
  return 0;
}

void sh_set_foreground(const long* pids, size_t count) {
  // The host's terminal sends ^C's SIGINT to the foreground process group,
  // which the children share with the shell.
  (void)pids;
  (void)count;
}
