// Starting programs from files, as a shell does (the file is read through
// the VFS, loaded with the ELF loader of <mica/elf_loader.h>, registered
// with the router and given descriptors before it starts).
#pragma once

#include <mica/syscall.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

// Starts the ELF executable at `path` with argv/envp (NULL-terminated;
// envp may be NULL). fds[i] = {child_fd, parent_fd}: the child's descriptors
// (at most 16), copies of the caller's; it gets no others, and the caller's
// stay as they are. The child runs in the caller's working directory and
// talks to the same router. Returns 0 and *pid, or a negated errno:
// -ENOENT (no such file), -ENOEXEC (not a valid executable for this
// machine), -EACCES (a directory), -EAGAIN (64 children already).
int mica_spawn_path(const char* path, char* const argv[], char* const envp[], const int fds[][2],
                    int fd_count, pid_t* pid);

// The process handle of child `pid` (spawned by mica_spawn_path and not yet
// waited for), or MICA_HANDLE_INVALID.
mica_handle_t mica_child_process(pid_t pid);

// An endpoint to the service registered under `name` (<mica/protocol.h>),
// through the router. 0, -ENOENT (none, or no router), or an IPC error.
int mica_service_lookup(const char* name, mica_handle_t* out);

#ifdef __cplusplus
}
#endif
