// Unix domain sockets as file descriptors. A socket is a kernel object
// (MICA_SYS_SOCKET_*); its descriptor is an entry of the VFS's table like
// any file's (MICA_VFS_SOCKET_INSTALL), so dup, dup2, close, inheritance by
// spawned children, close at exit and poll over mixed sets work as for
// files and pipes. The data path does not go through the VFS: this process
// keeps its own handle to each socket descriptor it uses (made at socket(),
// accept() and socketpair(), or asked from the VFS on first use of an
// inherited or dup'ed one: MICA_VFS_SOCKET_HANDLE), and send, recv, read,
// write and poll on sockets only are system calls on that handle. A socket
// ends (its peer sees end of file) when the last handle to it closes: this
// process's and the VFS's, which close() drops together.
//
// Names given to bind() and connect() are the kernel's socket namespace
// (the sun_path string); they are not nodes of the file system.
#include <stddef.h>
#include <string.h>

#include <errno.h>
#include <fcntl.h>
#include <mica/calls.h>
#include <mica/posix.h>
#include <mica/protocol.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "libc_internal.h"

// As the VFS's descriptor table (servers/vfs kMaxFds).
#define MAX_FDS 64
#define SOCKET_RIGHTS \
  (MICA_RIGHT_DUPLICATE | MICA_RIGHT_TRANSFER | MICA_RIGHT_READ | MICA_RIGHT_WRITE)

struct known_socket {
  mica_handle_t handle;  // MICA_HANDLE_INVALID: not known to be a socket
  int nonblock;          // O_NONBLOCK of the open file, as last learned
};

static struct known_socket known[MAX_FDS];
static volatile int known_lock;

static void lock(void) {
  while (__atomic_test_and_set(&known_lock, __ATOMIC_ACQUIRE)) {
    mica_yield();
  }
}

static void unlock(void) {
  __atomic_clear(&known_lock, __ATOMIC_RELEASE);
}

// Remembers `handle` for fd (taking it); an entry another thread filled
// first wins and `handle` is closed.
static void remember(int fd, mica_handle_t handle, int nonblock) {
  mica_handle_t extra = MICA_HANDLE_INVALID;
  lock();
  if (known[fd].handle == MICA_HANDLE_INVALID) {
    known[fd].handle = handle;
    known[fd].nonblock = nonblock;
  } else {
    extra = handle;
  }
  unlock();
  if (extra != MICA_HANDLE_INVALID) {
    mica_handle_close(extra);
  }
}

void __mica_socket_forget(int fd) {
  int first = fd < 0 ? 0 : fd;
  int last = fd < 0 ? MAX_FDS - 1 : fd;
  if (fd >= MAX_FDS) {
    return;
  }
  for (int i = first; i <= last; i++) {
    lock();
    mica_handle_t handle = known[i].handle;
    known[i].handle = MICA_HANDLE_INVALID;
    unlock();
    if (handle != MICA_HANDLE_INVALID) {
      mica_handle_close(handle);
    }
  }
}

static mica_handle_t cached(int fd, int* nonblock) {
  if (fd < 0 || fd >= MAX_FDS) {
    return MICA_HANDLE_INVALID;
  }
  lock();
  mica_handle_t handle = known[fd].handle;
  if (nonblock) {
    *nonblock = known[fd].nonblock;
  }
  unlock();
  return handle;
}

int __mica_socket_of(int fd, mica_handle_t* out, int* nonblock) {
  if (fd < 0 || fd >= MAX_FDS) {
    return -EBADF;
  }
  mica_handle_t handle = cached(fd, nonblock);
  if (handle != MICA_HANDLE_INVALID) {
    *out = handle;
    return 0;
  }
  if (__mica_router() == MICA_HANDLE_INVALID) {
    return -EBADF;  // no VFS: no descriptors but the log's 0..2
  }
  struct mica_message m = {0};
  m.label = MICA_VFS_SOCKET_HANDLE;
  m.words[0] = (uintptr_t)fd;
  int r = __mica_vfs_call(&m);
  if (r < 0) {
    return r;
  }
  if ((intptr_t)m.words[0] < 0) {
    return (int)m.words[0];
  }
  if (m.handle == MICA_HANDLE_INVALID) {
    return -EIO;
  }
  int is_nonblock = (m.words[1] & O_NONBLOCK) != 0;
  remember(fd, m.handle, is_nonblock);
  return __mica_socket_of(fd, out, nonblock);
}

// A new descriptor for kernel socket `socket` (taken: closed on failure).
static int install(mica_handle_t socket, int flags) {
  if (__mica_router() == MICA_HANDLE_INVALID) {
    mica_handle_close(socket);
    return -ENOSYS;  // descriptors live in the VFS
  }
  mica_handle_t copy;
  int r = mica_handle_duplicate(socket, SOCKET_RIGHTS, &copy);
  if (r < 0) {
    mica_handle_close(socket);
    return r;
  }
  struct mica_message m = {0};
  m.label = MICA_VFS_SOCKET_INSTALL;
  m.words[0] = (uintptr_t)(flags & O_NONBLOCK);
  m.handle = copy;
  r = __mica_vfs_call(&m);
  int fd = r < 0 ? r : (int)(intptr_t)m.words[0];
  if (fd < 0 || fd >= MAX_FDS) {
    mica_handle_close(socket);
    return fd < 0 ? fd : -EMFILE;
  }
  // The fd is new: nothing of an older one with its number is left here
  // (close forgot it), but another thread may have raced; forget first.
  __mica_socket_forget(fd);
  remember(fd, socket, (flags & O_NONBLOCK) != 0);
  return fd;
}

int mica_socket_fd(mica_handle_t socket, int flags) {
  return (int)__mica_result(install(socket, flags));
}

// The kernel name in a struct sockaddr_un: *name and *length, or an error.
static int name_of(const struct sockaddr* address, socklen_t size, const char** name,
                   size_t* length) {
  if (!address) {
    return -EFAULT;
  }
  size_t path_offset = offsetof(struct sockaddr_un, sun_path);
  if (size <= path_offset) {
    return -EINVAL;
  }
  if (address->sa_family != AF_UNIX) {
    return -EAFNOSUPPORT;
  }
  const struct sockaddr_un* un = (const struct sockaddr_un*)address;
  size_t room = size - path_offset;
  if (room > sizeof(un->sun_path)) {
    room = sizeof(un->sun_path);
  }
  size_t n = strnlen(un->sun_path, room);
  if (n == 0) {
    return -EINVAL;  // unnamed and abstract addresses are not supported
  }
  *name = un->sun_path;
  *length = n;
  return 0;
}

// An unnamed AF_UNIX address (the kernel does not report a peer's name).
static void unnamed_address(struct sockaddr* address, socklen_t* size) {
  if (!address || !size) {
    return;
  }
  struct sockaddr_un un;
  memset(&un, 0, sizeof(un));
  un.sun_family = AF_UNIX;
  size_t n = *size < sizeof(sa_family_t) ? *size : sizeof(sa_family_t);
  memcpy(address, &un, n);
  *size = sizeof(sa_family_t);
}

static int kind_of(int type, uint32_t* kind) {
  switch (type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) {
    case SOCK_STREAM:
      *kind = MICA_SOCK_STREAM;
      return 0;
    case SOCK_DGRAM:
      *kind = MICA_SOCK_DGRAM;
      return 0;
    default:
      return -EPROTONOSUPPORT;
  }
}

int socket(int domain, int type, int protocol) {
  if (domain != AF_UNIX) {
    return (int)__mica_result(-EAFNOSUPPORT);
  }
  uint32_t kind;
  int r = kind_of(type, &kind);
  if (r == 0 && protocol != 0) {
    r = -EPROTONOSUPPORT;
  }
  mica_handle_t handle;
  if (r == 0) {
    r = mica_socket_create(kind, &handle);
  }
  if (r == 0) {
    r = install(handle, (type & SOCK_NONBLOCK) ? O_NONBLOCK : 0);
  }
  return (int)__mica_result(r);
}

int socketpair(int domain, int type, int protocol, int fds[2]) {
  if (domain != AF_UNIX) {
    return (int)__mica_result(-EAFNOSUPPORT);
  }
  if (!fds) {
    return (int)__mica_result(-EFAULT);
  }
  uint32_t kind;
  int r = kind_of(type, &kind);
  if (r == 0 && protocol != 0) {
    r = -EPROTONOSUPPORT;
  }
  mica_handle_t pair[2];
  if (r == 0) {
    r = mica_socket_pair(kind, pair);
  }
  if (r < 0) {
    return (int)__mica_result(r);
  }
  int flags = (type & SOCK_NONBLOCK) ? O_NONBLOCK : 0;
  int a = install(pair[0], flags);
  if (a < 0) {
    mica_handle_close(pair[1]);
    return (int)__mica_result(a);
  }
  int b = install(pair[1], flags);
  if (b < 0) {
    close(a);
    return (int)__mica_result(b);
  }
  fds[0] = a;
  fds[1] = b;
  return 0;
}

int bind(int fd, const struct sockaddr* address, socklen_t size) {
  mica_handle_t handle;
  const char* name;
  size_t length;
  int r = __mica_socket_of(fd, &handle, NULL);
  if (r == 0) {
    r = name_of(address, size, &name, &length);
  }
  if (r == 0) {
    r = mica_socket_bind(handle, name, length);
  }
  return (int)__mica_result(r);
}

int listen(int fd, int backlog) {
  mica_handle_t handle;
  int r = __mica_socket_of(fd, &handle, NULL);
  if (r == 0) {
    r = mica_socket_listen(handle, backlog < 0 ? 0 : (uint32_t)backlog);
    if (r == -EINVAL) {
      // An unbound socket (Linux would autobind a name; mica has none).
      r = -EDESTADDRREQ;
    }
  }
  return (int)__mica_result(r);
}

int accept4(int fd, struct sockaddr* __restrict address, socklen_t* __restrict size, int flags) {
  mica_handle_t handle;
  int nonblock;
  int r = __mica_socket_of(fd, &handle, &nonblock);
  if (r == 0 && (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0) {
    r = -EINVAL;
  }
  mica_handle_t connection;
  if (r == 0) {
    r = mica_socket_accept(handle, nonblock ? MICA_NONBLOCK : 0, &connection);
  }
  if (r == 0) {
    r = install(connection, (flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0);
  }
  if (r >= 0) {
    unnamed_address(address, size);
  }
  return (int)__mica_result(r);
}

int accept(int fd, struct sockaddr* __restrict address, socklen_t* __restrict size) {
  return accept4(fd, address, size, 0);
}

int connect(int fd, const struct sockaddr* address, socklen_t size) {
  mica_handle_t handle;
  const char* name;
  size_t length;
  int nonblock;
  int r = __mica_socket_of(fd, &handle, &nonblock);
  if (r == 0) {
    r = name_of(address, size, &name, &length);
  }
  if (r == 0) {
    r = mica_socket_connect(handle, name, length, nonblock ? MICA_NONBLOCK : 0);
    if (r == -EEXIST) {
      r = -EISCONN;
    }
  }
  return (int)__mica_result(r);
}

// The MICA_NONBLOCK flag for a call with `flags`, or -EOPNOTSUPP.
static int call_flags(int flags, int nonblock, uint32_t* out) {
  if ((flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL | MSG_WAITALL)) != 0) {
    return -EOPNOTSUPP;
  }
  *out = (nonblock || (flags & MSG_DONTWAIT)) ? MICA_NONBLOCK : 0;
  return 0;
}

ssize_t sendto(int fd, const void* data, size_t size, int flags, const struct sockaddr* address,
               socklen_t address_size) {
  mica_handle_t handle;
  int nonblock;
  uint32_t call;
  const char* name = NULL;
  size_t length = 0;
  intptr_t r = __mica_socket_of(fd, &handle, &nonblock);
  if (r == 0) {
    r = call_flags(flags, nonblock, &call);
  }
  if (r == 0 && address) {
    r = name_of(address, address_size, &name, &length);
  }
  if (r == 0) {
    r = mica_socket_send(handle, data, size, call, name, length);
    if (r == -EEXIST) {
      r = -EISCONN;  // an address for a connected stream
    }
  }
  return __mica_result(r);
}

ssize_t send(int fd, const void* data, size_t size, int flags) {
  return sendto(fd, data, size, flags, NULL, 0);
}

ssize_t recvfrom(int fd, void* __restrict buffer, size_t size, int flags,
                 struct sockaddr* __restrict address, socklen_t* __restrict address_size) {
  mica_handle_t handle;
  int nonblock;
  uint32_t call;
  intptr_t r = __mica_socket_of(fd, &handle, &nonblock);
  if (r == 0) {
    r = call_flags(flags, nonblock, &call);
  }
  if (r == 0) {
    r = mica_socket_receive(handle, buffer, size, call);
    // MSG_WAITALL: a stream read until it has all (or end of file, or an
    // error after some bytes, which is the bytes).
    size_t done = r > 0 ? (size_t)r : 0;
    while ((flags & MSG_WAITALL) && r > 0 && done < size) {
      r = mica_socket_receive(handle, (char*)buffer + done, size - done, call);
      if (r > 0) {
        done += (size_t)r;
      }
    }
    if (done > 0) {
      r = (intptr_t)done;
    }
  }
  if (r >= 0) {
    unnamed_address(address, address_size);
  }
  return __mica_result(r);
}

ssize_t recv(int fd, void* buffer, size_t size, int flags) {
  return recvfrom(fd, buffer, size, flags, NULL, NULL);
}

int shutdown(int fd, int how) {
  mica_handle_t handle;
  int r = __mica_socket_of(fd, &handle, NULL);
  if (r == 0) {
    // The kernel's sockets have no half-close yet: only close() ends one.
    r = (how == SHUT_RD || how == SHUT_WR || how == SHUT_RDWR) ? -EOPNOTSUPP : -EINVAL;
  }
  return (int)__mica_result(r);
}

mica_handle_t __mica_socket_cached(int fd) {
  return cached(fd, NULL);
}

intptr_t __mica_socket_read(int fd, void* buffer, size_t size) {
  mica_handle_t handle;
  int nonblock;
  int r = __mica_socket_of(fd, &handle, &nonblock);
  if (r < 0) {
    return r;
  }
  return mica_socket_receive(handle, buffer, size, nonblock ? MICA_NONBLOCK : 0);
}

intptr_t __mica_socket_write(int fd, const void* data, size_t size) {
  mica_handle_t handle;
  int nonblock;
  int r = __mica_socket_of(fd, &handle, &nonblock);
  if (r < 0) {
    return r;
  }
  return mica_socket_send(handle, data, size, nonblock ? MICA_NONBLOCK : 0, NULL, 0);
}

int __mica_socket_poll(struct pollfd* fds, size_t count, int timeout_ms) {
  enum { kMax = 64 };
  if (count == 0 || count > kMax || !fds) {
    return -ENOTSOCK;
  }
  struct mica_wait_item items[kMax];
  size_t index[kMax];
  size_t n = 0;
  for (size_t i = 0; i < count; i++) {
    if (fds[i].fd < 0) {
      continue;
    }
    mica_handle_t handle = cached(fds[i].fd, NULL);
    if (handle == MICA_HANDLE_INVALID) {
      return -ENOTSOCK;  // not (known as) a socket: the VFS polls the set
    }
    uint32_t wanted = MICA_SIGNAL_PEER_CLOSED;
    if (fds[i].events & POLLIN) {
      wanted |= MICA_SIGNAL_READABLE;
    }
    if (fds[i].events & POLLOUT) {
      wanted |= MICA_SIGNAL_WRITABLE;
    }
    items[n].handle = handle;
    items[n].wanted = wanted;
    items[n].observed = 0;
    index[n++] = i;
  }
  if (n == 0) {
    return -ENOTSOCK;
  }
  uint64_t timeout = timeout_ms < 0 ? 0 : (uint64_t)timeout_ms * 1000000u;
  int r = mica_wait_many(items, n, timeout_ms < 0 ? NULL : &timeout);
  if (r < 0 && r != -ETIMEDOUT) {
    return r == -EBADF ? -ENOTSOCK : r;
  }
  for (size_t i = 0; i < count; i++) {
    fds[i].revents = 0;
  }
  int ready = 0;
  for (size_t k = 0; k < n; k++) {
    short revents = 0;
    if (items[k].observed & MICA_SIGNAL_READABLE) {
      revents |= POLLIN;
    }
    if (items[k].observed & MICA_SIGNAL_WRITABLE) {
      revents |= POLLOUT;
    }
    if (items[k].observed & MICA_SIGNAL_PEER_CLOSED) {
      revents |= POLLHUP;
    }
    fds[index[k]].revents = revents;
    if (revents) {
      ready++;
    }
  }
  return ready;
}
