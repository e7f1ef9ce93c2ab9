// POSIX file and process calls (sockets: socket.c). Everything without a
// direct system call goes through mica_posix_call, one handler per process
// (mica_posix_set_handler): by default posix_ipc.c, which sends file calls
// to the VFS and process calls to the router as IPC from this process. The
// kernel forwards nothing: a Unix-like call is a library call that becomes
// one message straight to the server that answers it. (ARCHITECTURE.md has
// the kernel package these calls for the router, as lux does; doing it here
// keeps the servers' protocols out of the kernel and saves each call the
// hop through the router. Blocking or not is the caller's choice as there:
// O_NONBLOCK, poll, or a thread.)
#include <stdarg.h>
#include <stdlib.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mica/calls.h>
#include <mica/posix.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libc_internal.h"

#define U(x) ((uintptr_t)(x))

// With a router: the calls go to the servers (posix_ipc.c). Without one
// (init itself, programs started before the servers): fds 0..2 write to
// the kernel log and the process calls work on this process's children.
static intptr_t default_handler(int op, const uintptr_t args[6]) {
  if (__mica_router() != MICA_HANDLE_INVALID) {
    return __mica_posix_ipc(op, args);
  }
  switch (op) {
    case MICA_POSIX_WAITPID:
    case MICA_POSIX_KILL:
      return __mica_posix_ipc(op, args);
    case MICA_POSIX_WRITE:
      if (args[0] <= 2) {
        return mica_debug_write((const char*)args[1], args[2]);
      }
      return -EBADF;
    case MICA_POSIX_ISATTY:
      return args[0] <= 2 ? 1 : -ENOTTY;
    default:
      return -ENOSYS;
  }
}

static mica_posix_handler handler = default_handler;

mica_posix_handler mica_posix_set_handler(mica_posix_handler new_handler) {
  mica_posix_handler old = handler;
  handler = new_handler ? new_handler : default_handler;
  return old;
}

intptr_t mica_posix_call(int op, uintptr_t a0, uintptr_t a1, uintptr_t a2, uintptr_t a3) {
  uintptr_t args[6] = {a0, a1, a2, a3, 0, 0};
  return handler(op, args);
}

// The call, with errno set and -1 returned on failure.
static intptr_t call(int op, uintptr_t a0, uintptr_t a1, uintptr_t a2, uintptr_t a3) {
  return __mica_result(mica_posix_call(op, a0, a1, a2, a3));
}

int open(const char* path, int flags, ...) {
  mode_t mode = 0;
  if (flags & O_CREAT) {
    va_list args;
    va_start(args, flags);
    mode = va_arg(args, mode_t);
    va_end(args);
  }
  return (int)call(MICA_POSIX_OPEN, U(path), (uintptr_t)flags, mode, 0);
}

int fcntl(int fd, int command, ...) {
  va_list args;
  va_start(args, command);
  uintptr_t argument = va_arg(args, uintptr_t);
  va_end(args);
  int r = (int)call(MICA_POSIX_FCNTL, (uintptr_t)fd, (uintptr_t)command, argument, 0);
  if (r >= 0 && command == F_SETFL) {
    // The flags belong to the open file, which other descriptors may share:
    // socket.c learns them again from the VFS.
    __mica_socket_forget(-1);
  }
  return r;
}

// A socket descriptor reads and writes on its kernel socket (socket.c):
// known ones at once, others when the VFS answers -ENOTSOCK.
ssize_t read(int fd, void* buffer, size_t size) {
  if (__mica_socket_cached(fd) != MICA_HANDLE_INVALID) {
    return __mica_result(__mica_socket_read(fd, buffer, size));
  }
  intptr_t r = mica_posix_call(MICA_POSIX_READ, (uintptr_t)fd, U(buffer), size, 0);
  if (r == -ENOTSOCK) {
    r = __mica_socket_read(fd, buffer, size);
  }
  return __mica_result(r);
}

ssize_t write(int fd, const void* data, size_t size) {
  if (__mica_socket_cached(fd) != MICA_HANDLE_INVALID) {
    return __mica_result(__mica_socket_write(fd, data, size));
  }
  intptr_t r = mica_posix_call(MICA_POSIX_WRITE, (uintptr_t)fd, U(data), size, 0);
  if (r == -ENOTSOCK) {
    r = __mica_socket_write(fd, data, size);
  }
  return __mica_result(r);
}

int close(int fd) {
  __mica_socket_forget(fd);
  return (int)call(MICA_POSIX_CLOSE, (uintptr_t)fd, 0, 0, 0);
}

off_t lseek(int fd, off_t offset, int whence) {
  off_t result = -1;
  if (call(MICA_POSIX_LSEEK, (uintptr_t)fd, U(&offset), (uintptr_t)whence, U(&result)) < 0) {
    return -1;
  }
  return result;
}

int ftruncate(int fd, off_t length) {
  return (int)call(MICA_POSIX_FTRUNCATE, (uintptr_t)fd, U(&length), 0, 0);
}

int truncate(const char* path, off_t length) {
  int fd = open(path, O_WRONLY);
  if (fd < 0) {
    return -1;
  }
  int r = ftruncate(fd, length);
  int saved = errno;
  close(fd);
  errno = saved;
  return r;
}

int stat(const char* __restrict path, struct stat* __restrict out) {
  return (int)call(MICA_POSIX_STAT, U(path), U(out), 0, 0);
}

int lstat(const char* __restrict path, struct stat* __restrict out) {
  return (int)call(MICA_POSIX_LSTAT, U(path), U(out), 0, 0);
}

ssize_t readlink(const char* __restrict path, char* __restrict buffer, size_t size) {
  return (ssize_t)call(MICA_POSIX_READLINK, U(path), U(buffer), size, 0);
}

int symlink(const char* target, const char* path) {
  return (int)call(MICA_POSIX_SYMLINK, U(target), U(path), 0, 0);
}

int link(const char* existing, const char* path) {
  return (int)call(MICA_POSIX_LINK, U(existing), U(path), 0, 0);
}

int fstat(int fd, struct stat* out) {
  return (int)call(MICA_POSIX_FSTAT, (uintptr_t)fd, U(out), 0, 0);
}

int dup(int fd) {
  return (int)call(MICA_POSIX_DUP, (uintptr_t)fd, 0, 0, 0);
}

int dup2(int fd, int new_fd) {
  if (fd != new_fd) {
    __mica_socket_forget(new_fd);
  }
  return (int)call(MICA_POSIX_DUP2, (uintptr_t)fd, (uintptr_t)new_fd, 0, 0);
}

int pipe(int fds[2]) {
  return (int)call(MICA_POSIX_PIPE, U(fds), 0, 0, 0);
}

int poll(struct pollfd* fds, nfds_t count, int timeout_ms) {
  // Sockets only: waited for in the kernel here; a set with anything else
  // in it, by the VFS (which holds every socket descriptor's socket too).
  int r = __mica_socket_poll(fds, count, timeout_ms);
  if (r != -ENOTSOCK) {
    return (int)__mica_result(r);
  }
  return (int)call(MICA_POSIX_POLL, U(fds), count, (uintptr_t)timeout_ms, 0);
}

int ioctl(int fd, unsigned long request, ...) {
  va_list args;
  va_start(args, request);
  void* argument = va_arg(args, void*);
  va_end(args);
  return (int)call(MICA_POSIX_IOCTL, (uintptr_t)fd, request, U(argument), 0);
}

int mkdir(const char* path, mode_t mode) {
  return (int)call(MICA_POSIX_MKDIR, U(path), mode, 0, 0);
}
int unlink(const char* path) {
  return (int)call(MICA_POSIX_UNLINK, U(path), 0, 0, 0);
}
int rmdir(const char* path) {
  return (int)call(MICA_POSIX_RMDIR, U(path), 0, 0, 0);
}

int rename(const char* from, const char* to) {
  return (int)call(MICA_POSIX_RENAME, U(from), U(to), 0, 0);
}

int chdir(const char* path) {
  return (int)call(MICA_POSIX_CHDIR, U(path), 0, 0, 0);
}

char* getcwd(char* buffer, size_t size) {
  return call(MICA_POSIX_GETCWD, U(buffer), size, 0, 0) < 0 ? NULL : buffer;
}

int access(const char* path, int mode) {
  return (int)call(MICA_POSIX_ACCESS, U(path), (uintptr_t)mode, 0, 0);
}

int isatty(int fd) {
  return call(MICA_POSIX_ISATTY, (uintptr_t)fd, 0, 0, 0) > 0 ? 1 : 0;
}

// ---- Directories ----

struct __mica_dir {
  int fd;
  struct dirent entry;
};

DIR* opendir(const char* path) {
  DIR* dir = malloc(sizeof(DIR));
  if (!dir) {
    return NULL;
  }
  dir->fd = (int)call(MICA_POSIX_OPENDIR, U(path), 0, 0, 0);
  if (dir->fd < 0) {
    free(dir);
    return NULL;
  }
  return dir;
}

struct dirent* readdir(DIR* dir) {
  return call(MICA_POSIX_READDIR, (uintptr_t)dir->fd, U(&dir->entry), 0, 0) > 0 ? &dir->entry
                                                                                : NULL;
}

int closedir(DIR* dir) {
  int result = close(dir->fd);
  free(dir);
  return result;
}

// ---- Processes ----

pid_t getpid(void) {
  return (pid_t)__mica_result(mica_get_id(MICA_HANDLE_SELF));
}

pid_t getppid(void) {
  return (pid_t)call(MICA_POSIX_GETPPID, 0, 0, 0, 0);
}

int kill(pid_t pid, int signal) {
  return (int)call(MICA_POSIX_KILL, (uintptr_t)pid, (uintptr_t)signal, 0, 0);
}

int raise(int signal) {
  // No signal delivery yet: a raised signal ends the process as its default
  // action would.
  mica_process_exit(128 + signal);
}

sighandler_t signal(int signal, sighandler_t handler) {
  errno = ENOSYS;
  return SIG_ERR;
}

pid_t waitpid(pid_t pid, int* status, int options) {
  return (pid_t)call(MICA_POSIX_WAITPID, (uintptr_t)pid, U(status), (uintptr_t)options, 0);
}

pid_t wait(int* status) {
  return waitpid(-1, status, 0);
}

int brk(void* end) {
  errno = ENOSYS;
  return -1;
}

void* sbrk(intptr_t increment) {
  errno = ENOSYS;
  return (void*)-1;
}
