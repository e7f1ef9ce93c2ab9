// sh: mica's shell.
//
//   sh              read commands from stdin, with a "$ " prompt
//   sh -c 'TEXT'    run TEXT
//   sh FILE [ARG..] run the script FILE
//
// The exit status is that of the last command (or `exit N`).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "shell.h"

extern "C" char** environ;

int main(int argc, char** argv) {
  // Builtins write into pipes whose reader may be gone: EPIPE, not death.
  signal(SIGPIPE, SIG_IGN);

  sh::Shell shell;
  if (!shell.import_environment(environ)) {
    sh::Shell::print(2, "sh: out of memory\n");
    return 1;
  }
  if (argc >= 2 && strcmp(argv[1], "-c") == 0) {
    if (argc < 3) {
      sh::Shell::print(2, "sh: -c: option requires an argument\n");
      return sh::kStatusSyntaxError;
    }
    return shell.run_text(argv[2], strlen(argv[2]));
  }
  if (argc >= 2) {
    int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      sh::Shell::print(2, "sh: %s: %s\n", argv[1], strerror(errno));
      return sh::kStatusNotFound;
    }
    int status = shell.run_fd(fd);
    close(fd);
    return status;
  }
  shell.set_interactive(true);
  // Started by the router as the system's shell: every server is up and the
  // shell is about to wait for input, which is what `mica: ready` means to
  // the boot tests and tools.
  const char* ready = getenv("MICA_READY");
  if (ready != nullptr && strcmp(ready, "1") == 0) {
    struct timespec now = {};
    clock_gettime(CLOCK_MONOTONIC, &now);
    sh::Shell::print(1, "mica: ready (%lld ms after the kernel started)\n",
                     static_cast<long long>(now.tv_sec) * 1000 + now.tv_nsec / 1000000);
    shell.unset_variable("MICA_READY");  // this shell's, not the ones it starts
  }
  return shell.run_fd(0);
}
