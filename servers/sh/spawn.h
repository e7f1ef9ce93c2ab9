// The shell's platform interface for processes: the only calls sh makes
// that are not in mica's POSIX-shaped libc. spawn_host.c implements it on
// the host (posix_spawn); the mica implementation goes through the ELF
// loader (mica_spawn) and the VFS.
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

// Starts the program file `path` (absolute, or relative to the current
// directory; the shell has already searched PATH) as a new process running
// in the caller's current directory, with the NULL-terminated argument
// vector argv (argv[0] is the command name as typed) and the
// NULL-terminated environment envp ("NAME=value" strings).
//
// The child's fds 0, 1 and 2 are copies of the caller's fd_in, fd_out and
// fd_err (any of which may be equal, or be 0, 1, 2 themselves); it gets no
// other descriptor of the caller. The caller's descriptors are not changed:
// it closes its own copies (pipe ends, redirection files) after the call,
// whether it succeeded or not. argv, envp and the strings stay owned by the
// caller and need only live until the call returns.
//
// Returns 0 and the child's id in *pid_out, or a positive errno value:
// ENOENT (no such file), ENOEXEC (not a program), EACCES, ENOMEM, E2BIG.
int sh_spawn(const char* path, char* const argv[], char* const envp[], int fd_in, int fd_out,
             int fd_err, long* pid_out);

// Waits until the child `pid` (from sh_spawn, not yet waited for) ends.
// Returns 0 and its status in *exit_status (its exit code 0..255, or 128 +
// N if it was ended by signal or fault N), or a positive errno value.
int sh_wait(long pid, int* exit_status);

// Makes the children `pids[0..count)` (from sh_spawn, not yet waited for)
// the terminal's foreground, which ^C ends (status 130); count 0 gives the
// foreground back to the shell. The interactive shell calls it around each
// pipeline it waits for. Best effort: without a console there is nothing
// to interrupt, and the host's terminal signals the process group anyway.
void sh_set_foreground(const long* pids, size_t count);

#ifdef __cplusplus
}
#endif
