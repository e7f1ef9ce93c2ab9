// The one point where libc's POSIX file, socket and process calls leave
// libc: every call of <unistd.h>, <fcntl.h>, <sys/stat.h>, <sys/socket.h>,
// <poll.h>, <dirent.h>, <sys/wait.h> that mica does not implement by a
// direct system call packs its arguments and calls the handler installed
// here. Until the router exists (TODO(issue 6)) the default handler sends
// writes to fds 0..2 to the kernel log (MICA_SYS_DEBUG_WRITE) and fails
// everything else with -ENOSYS.
#pragma once

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum mica_posix_op {
  MICA_POSIX_OPEN = 1,  // (const char* path, int flags, mode_t mode) -> fd
  MICA_POSIX_READ,      // (int fd, void* buffer, size_t size) -> bytes
  MICA_POSIX_WRITE,     // (int fd, const void* data, size_t size) -> bytes
  MICA_POSIX_CLOSE,     // (int fd)
  MICA_POSIX_LSEEK,     // (int fd, const off_t* offset, int whence, off_t* result)
  MICA_POSIX_STAT,      // (const char* path, struct stat* out)
  MICA_POSIX_FSTAT,     // (int fd, struct stat* out)
  MICA_POSIX_DUP,       // (int fd) -> fd
  MICA_POSIX_DUP2,      // (int fd, int new_fd) -> new_fd
  MICA_POSIX_PIPE,      // (int fds[2])
  MICA_POSIX_POLL,      // (struct pollfd*, nfds_t count, int timeout_ms) -> ready count
  MICA_POSIX_IOCTL,     // (int fd, unsigned long request, void* argument)
  MICA_POSIX_FCNTL,     // (int fd, int command, uintptr_t argument)
  MICA_POSIX_MKDIR,     // (const char* path, mode_t mode)
  MICA_POSIX_UNLINK,    // (const char* path)
  MICA_POSIX_RMDIR,     // (const char* path)
  MICA_POSIX_RENAME,    // (const char* from, const char* to)
  MICA_POSIX_CHDIR,     // (const char* path)
  MICA_POSIX_GETCWD,    // (char* buffer, size_t size)
  MICA_POSIX_ACCESS,    // (const char* path, int mode)
  MICA_POSIX_ISATTY,    // (int fd) -> 1 or -ENOTTY
  MICA_POSIX_OPENDIR,   // (const char* path) -> fd
  MICA_POSIX_READDIR,   // (int fd, struct dirent* out) -> 1, or 0 at the end
  // SOCKET..SHUTDOWN: not sent; libc's socket.c answers them on kernel
  // sockets and MICA_VFS_SOCKET_* (numbers kept for the ABI).
  MICA_POSIX_SOCKET,     // (int domain, int type, int protocol) -> fd
  MICA_POSIX_BIND,       // (int fd, const struct sockaddr*, socklen_t)
  MICA_POSIX_LISTEN,     // (int fd, int backlog)
  MICA_POSIX_ACCEPT,     // (int fd, struct sockaddr*, socklen_t*) -> fd
  MICA_POSIX_CONNECT,    // (int fd, const struct sockaddr*, socklen_t)
  MICA_POSIX_SEND,       // (int fd, const void* data, size_t size, int flags) -> bytes
  MICA_POSIX_RECV,       // (int fd, void* buffer, size_t size, int flags) -> bytes
  MICA_POSIX_SHUTDOWN,   // (int fd, int how)
  MICA_POSIX_GETPPID,    // () -> pid
  MICA_POSIX_KILL,       // (pid_t pid, int signal)
  MICA_POSIX_WAITPID,    // (pid_t pid, int* status, int options) -> pid
  MICA_POSIX_LSTAT,      // (const char* path, struct stat* out): a last symlink itself
  MICA_POSIX_READLINK,   // (const char* path, char* buffer, size_t size) -> bytes
  MICA_POSIX_SYMLINK,    // (const char* target, const char* path)
  MICA_POSIX_LINK,       // (const char* existing, const char* path)
  MICA_POSIX_FTRUNCATE,  // (int fd, const off_t* length)
};

// Performs `op` on args[0..5] (pointers and integers as uintptr_t, each
// argument as listed above). Returns a value >= 0, or a negated errno.
typedef intptr_t (*mica_posix_handler)(int op, const uintptr_t args[6]);

// Installs the handler (NULL: back to the default) and returns the old one.
mica_posix_handler mica_posix_set_handler(mica_posix_handler handler);

// Calls the installed handler; the libc functions add errno on top.
intptr_t mica_posix_call(int op, uintptr_t a0, uintptr_t a1, uintptr_t a2, uintptr_t a3);

// A kernel socket (MICA_SYS_SOCKET_*, taken: closed on failure) as a new
// file descriptor of this process, with file status flags `flags`
// (O_NONBLOCK). Returns the fd, or -1 and errno.
int mica_socket_fd(uint32_t socket, int flags);

#ifdef __cplusplus
}
#endif
