// The POSIX calls as messages to mica's servers (<mica/protocol.h>): file
// and directory calls go to the VFS, which the router's registry names;
// process calls are answered here (the children this process spawned) or by
// the router. A process started without a router endpoint (the router
// itself, early test programs) keeps posix.c's fallback.
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mica/calls.h>
#include <mica/elf_loader.h>
#include <mica/posix.h>
#include <mica/protocol.h>
#include <mica/spawn.h>
#include <mica/startup.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libc_internal.h"

#define U(x) ((uintptr_t)(x))

// ---- Service endpoints ----

static mica_handle_t vfs_endpoint = MICA_HANDLE_INVALID;

uint32_t __mica_router(void) {
  return mica_startup_handle(MICA_STARTUP_ROUTER);
}

int mica_service_lookup(const char* name, mica_handle_t* out) {
  mica_handle_t router = __mica_router();
  if (router == MICA_HANDLE_INVALID) {
    return -ENOENT;
  }
  struct mica_message m = {0};
  m.label = MICA_ROUTER_LOOKUP;
  m.data = name;
  m.data_size = strlen(name) + 1;
  int r = mica_ipc_call_message(router, &m);
  if (r < 0) {
    return r;
  }
  if ((intptr_t)m.words[0] < 0) {
    return (int)m.words[0];
  }
  if (m.handle == MICA_HANDLE_INVALID) {
    return -EIO;
  }
  *out = m.handle;
  return 0;
}

// The VFS endpoint, looked up once (and again after the VFS restarted).
static int vfs(mica_handle_t* out) {
  if (vfs_endpoint == MICA_HANDLE_INVALID) {
    int r = mica_service_lookup(MICA_SERVICE_VFS, &vfs_endpoint);
    if (r < 0) {
      return r;
    }
  }
  *out = vfs_endpoint;
  return 0;
}

// One request: label `op`, words w0..w2, payload `data` (may be NULL),
// reply payload into `buffer`. Returns the reply's words[0]; *got (if not
// NULL) the reply payload's size, *extra (if not NULL) words[1..3].
int __mica_vfs_call(struct mica_message* m) {
  mica_handle_t endpoint;
  int r = vfs(&endpoint);
  if (r < 0) {
    if (m->handle != MICA_HANDLE_INVALID) {
      mica_handle_close(m->handle);
    }
    return r == -ENOENT ? -EIO : r;
  }
  r = mica_ipc_call_message(endpoint, m);
  if (r == -ECONNRESET || r == -EBADF || r == -ESRCH) {
    // The VFS went away (and is being restarted): look it up next time.
    mica_handle_close(vfs_endpoint);
    vfs_endpoint = MICA_HANDLE_INVALID;
    return -EIO;
  }
  return r;
}

static intptr_t request(int op, uintptr_t w0, uintptr_t w1, uintptr_t w2, const void* data,
                        size_t data_size, void* buffer, size_t buffer_size, size_t* got,
                        uintptr_t extra[3]) {
  struct mica_message m = {0};
  m.label = (uintptr_t)op;
  m.words[0] = w0;
  m.words[1] = w1;
  m.words[2] = w2;
  m.data = data;
  m.data_size = data_size;
  m.buffer = buffer;
  m.buffer_size = buffer_size;
  int r = __mica_vfs_call(&m);
  if (r < 0) {
    return r;
  }
  if (got) {
    *got = m.data_size;
  }
  if (extra) {
    extra[0] = m.words[1];
    extra[1] = m.words[2];
    extra[2] = m.words[3];
  }
  return (intptr_t)m.words[0];
}

static size_t path_size(const char* path) {
  return strnlen(path, PATH_MAX) + 1;
}

// A path argument: checked for NULL and length before it is sent.
static intptr_t path_request(int op, const char* path, uintptr_t w0, uintptr_t w1, void* buffer,
                             size_t buffer_size) {
  if (!path) {
    return -EFAULT;
  }
  size_t n = path_size(path);
  if (n > PATH_MAX) {
    return -ENAMETOOLONG;
  }
  if (n == 1) {
    return -ENOENT;
  }
  return request(op, w0, w1, 0, path, n, buffer, buffer_size, NULL, NULL);
}

// A request to the router with words w0, w1; its result.
static intptr_t router_request(uintptr_t label, uintptr_t w0, uintptr_t w1) {
  struct mica_message m = {0};
  m.label = label;
  m.words[0] = w0;
  m.words[1] = w1;
  int r = mica_ipc_call_message(__mica_router(), &m);
  return r < 0 ? r : (intptr_t)m.words[0];
}

// ---- Children: the processes this one spawned ----

#define MAX_CHILDREN 64

struct child {
  pid_t pid;
  mica_handle_t process;
};
static struct child children[MAX_CHILDREN];

static int status_of_exit(const struct mica_exit_info* e) {
  if (e->how == MICA_EXIT_NORMAL) {
    return (e->code & 0xff) << 8;
  }
  // Killed (or faulted): reported as a signal. A fault is SIGSEGV (11) or
  // SIGILL (4) as a shell would show; a kill, its code's signal if it was
  // 128 + N, else SIGKILL.
  if (e->how == MICA_EXIT_FAULT) {
    return e->code == MICA_FAULT_ILLEGAL_INSTRUCTION ? 4 : 11;
  }
  if (e->code > 128 && e->code < 160) {
    return e->code - 128;
  }
  return 9;
}

static pid_t wait_child(int index, int* status) {
  struct mica_exit_info e;
  int r = mica_process_wait(children[index].process, &e, 0);
  if (r < 0) {
    return r;
  }
  pid_t pid = children[index].pid;
  mica_handle_close(children[index].process);
  children[index].pid = 0;
  children[index].process = MICA_HANDLE_INVALID;
  if (status) {
    *status = status_of_exit(&e);
  }
  return pid;
}

static intptr_t do_waitpid(pid_t pid, int* status, int options) {
  for (;;) {
    struct mica_wait_item items[MAX_CHILDREN];
    int index[MAX_CHILDREN];
    size_t n = 0;
    for (int i = 0; i < MAX_CHILDREN; i++) {
      if (children[i].pid != 0 && (pid == -1 || children[i].pid == pid)) {
        items[n].handle = children[i].process;
        items[n].wanted = MICA_SIGNAL_TERMINATED;
        items[n].observed = 0;
        index[n++] = i;
      }
    }
    if (n == 0) {
      return -ECHILD;
    }
    uint64_t no_wait = 0;
    int r = mica_wait_many(items, n, (options & WNOHANG) ? &no_wait : NULL);
    if (r == -ETIMEDOUT) {
      return 0;
    }
    if (r < 0) {
      return r;
    }
    for (size_t i = 0; i < n; i++) {
      if (items[i].observed & MICA_SIGNAL_TERMINATED) {
        return wait_child(index[i], status);
      }
    }
  }
}

static intptr_t do_kill(pid_t pid, int signal) {
  if (signal < 0 || signal > 64) {
    return -EINVAL;
  }
  for (int i = 0; i < MAX_CHILDREN; i++) {
    if (children[i].pid == pid && pid != 0) {
      return signal == 0 ? 0 : mica_process_kill(children[i].process, 128 + signal);
    }
  }
  mica_handle_t router = __mica_router();
  if (router == MICA_HANDLE_INVALID) {
    return -ESRCH;
  }
  return router_request(MICA_ROUTER_KILL, (uintptr_t)pid, (uintptr_t)signal);
}

// ---- Spawning ----

struct spawn_context {
  const int (*fds)[2];
  int fd_count;
  const char* name;
};

static int prepare_child(void* argument, mica_handle_t process) {
  struct spawn_context* c = argument;
  struct mica_handle_info info;
  int r = mica_handle_info(process, &info);
  if (r < 0) {
    return r;
  }
  uint32_t pid = (uint32_t)info.size;
  // The router keeps a handle to every process (ps, kill, supervision).
  mica_handle_t router = __mica_router();
  if (router != MICA_HANDLE_INVALID) {
    mica_handle_t copy;
    r = mica_handle_duplicate(process, MICA_RIGHT_READ | MICA_RIGHT_MANAGE | MICA_RIGHT_TRANSFER,
                              &copy);
    if (r < 0) {
      return r;
    }
    struct mica_message m = {0};
    m.label = MICA_ROUTER_ADOPT;
    m.handle = copy;
    m.data = c->name;
    m.data_size = strlen(c->name) + 1;
    r = mica_ipc_call_message(router, &m);
    if (r < 0) {
      return r;
    }
  }
  // Its descriptors, from ours.
  mica_handle_t endpoint;
  if (vfs(&endpoint) == 0) {
    int32_t pairs[MICA_VFS_MAX_INHERIT][2];
    for (int i = 0; i < c->fd_count; i++) {
      pairs[i][0] = c->fds[i][0];
      pairs[i][1] = c->fds[i][1];
    }
    mica_handle_t watch;
    r = mica_handle_duplicate(process, MICA_RIGHT_READ | MICA_RIGHT_TRANSFER, &watch);
    if (r < 0) {
      return r;
    }
    struct mica_message m = {0};
    m.label = MICA_VFS_ADOPT;
    m.words[0] = pid;
    m.words[1] = 1;
    m.handle = watch;
    m.data = pairs;
    m.data_size = sizeof(pairs[0]) * (size_t)c->fd_count;
    r = mica_ipc_call_message(endpoint, &m);
    if (r < 0) {
      return r;
    }
    if ((intptr_t)m.words[0] < 0) {
      return (int)m.words[0];
    }
  }
  return 0;
}

// Reads all of `path` into a new buffer.
static int read_file(const char* path, void** out, size_t* size_out) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    return -errno;
  }
  struct stat st;
  if (fstat(fd, &st) < 0) {
    int e = errno;
    close(fd);
    return -e;
  }
  if (S_ISDIR(st.st_mode)) {
    close(fd);
    return -EACCES;
  }
  if (st.st_size < 0 || st.st_size > (off_t)(256u << 20)) {
    close(fd);
    return -EFBIG;
  }
  size_t size = (size_t)st.st_size;
  char* data = malloc(size ? size : 1);
  if (!data) {
    close(fd);
    return -ENOMEM;
  }
  size_t done = 0;
  while (done < size) {
    ssize_t n = read(fd, data + done, size - done);
    if (n < 0) {
      int e = errno;
      free(data);
      close(fd);
      return -e;
    }
    if (n == 0) {
      break;
    }
    done += (size_t)n;
  }
  close(fd);
  *out = data;
  *size_out = done;
  return 0;
}

int mica_spawn_path(const char* path, char* const argv[], char* const envp[], const int fds[][2],
                    int fd_count, pid_t* pid_out) {
  if (fd_count < 0 || fd_count > MICA_VFS_MAX_INHERIT) {
    return -EINVAL;
  }
  int slot = -1;
  for (int i = 0; i < MAX_CHILDREN; i++) {
    if (children[i].pid == 0) {
      slot = i;
      break;
    }
  }
  if (slot < 0) {
    return -EAGAIN;
  }
  void* elf;
  size_t size;
  int r = read_file(path, &elf, &size);
  if (r < 0) {
    return r;
  }
  // The child talks to the same router.
  mica_handle_t handles[1];
  uint32_t tags[1] = {MICA_STARTUP_ROUTER};
  size_t count = 0;
  if (__mica_router() != MICA_HANDLE_INVALID) {
    r = mica_handle_duplicate(__mica_router(),
                              MICA_RIGHT_WRITE | MICA_RIGHT_TRANSFER | MICA_RIGHT_DUPLICATE,
                              &handles[0]);
    if (r < 0) {
      free(elf);
      return r;
    }
    count = 1;
  }
  const char* name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
  struct spawn_context context = {fds, fd_count, name};
  mica_handle_t process;
  r = mica_spawn_prepared(elf, size, argv, envp, handles, tags, count, prepare_child, &context,
                          &process, NULL);
  free(elf);
  if (r < 0) {
    return r;
  }
  struct mica_handle_info info;
  mica_handle_info(process, &info);
  children[slot].pid = (pid_t)info.size;
  children[slot].process = process;
  if (pid_out) {
    *pid_out = (pid_t)info.size;
  }
  return 0;
}

mica_handle_t mica_child_process(pid_t pid) {
  for (int i = 0; i < MAX_CHILDREN; i++) {
    if (children[i].pid == pid && pid != 0) {
      return children[i].process;
    }
  }
  return MICA_HANDLE_INVALID;
}

// ---- The handler ----

static intptr_t write_all(uintptr_t fd, const char* data, size_t size) {
  size_t done = 0;
  while (done < size) {
    size_t chunk = size - done;
    if (chunk > MICA_BLOCK_MAX_TRANSFER) {
      chunk = MICA_BLOCK_MAX_TRANSFER;
    }
    intptr_t n = request(MICA_POSIX_WRITE, fd, 0, 0, data + done, chunk, NULL, 0, NULL, NULL);
    if (n < 0) {
      return done ? (intptr_t)done : n;
    }
    done += (size_t)n;
    if ((size_t)n < chunk) {
      break;
    }
  }
  return (intptr_t)done;
}

intptr_t __mica_posix_ipc(int op, const uintptr_t a[6]) {
  switch (op) {
    case MICA_POSIX_OPEN:
      return path_request(op, (const char*)a[0], a[1], a[2], NULL, 0);
    case MICA_POSIX_OPENDIR:
      return path_request(op, (const char*)a[0], 0, 0, NULL, 0);
    case MICA_POSIX_READ: {
      size_t size = a[2] > MICA_BLOCK_MAX_TRANSFER ? MICA_BLOCK_MAX_TRANSFER : a[2];
      return request(MICA_POSIX_READ, a[0], size, 0, NULL, 0, (void*)a[1], size, NULL, NULL);
    }
    case MICA_POSIX_WRITE:
      return write_all(a[0], (const char*)a[1], a[2]);
    case MICA_POSIX_CLOSE:
    case MICA_POSIX_DUP:
    case MICA_POSIX_ISATTY:
      return request(op, a[0], 0, 0, NULL, 0, NULL, 0, NULL, NULL);
    case MICA_POSIX_DUP2:
    case MICA_POSIX_FCNTL:
      return request(op, a[0], a[1], a[2], NULL, 0, NULL, 0, NULL, NULL);
    case MICA_POSIX_LSEEK: {
      // 64-bit offsets in two words on 32-bit arches.
      uint64_t offset = (uint64_t) * (const off_t*)a[1];
      uintptr_t extra[3];
      intptr_t r =
          request(op, a[0], (uintptr_t)offset, a[2], &offset, sizeof(offset), NULL, 0, NULL, extra);
      if (r >= 0) {
        uint64_t result = (uint64_t)extra[0];
        if (sizeof(uintptr_t) < 8) {
          result |= (uint64_t)extra[1] << 32;
        }
        *(off_t*)a[3] = (off_t)result;
      }
      return r < 0 ? r : 0;
    }
    case MICA_POSIX_FTRUNCATE: {
      // The length in the payload: 64 bits on every arch.
      int64_t length = (int64_t) * (const off_t*)a[1];
      return request(op, a[0], 0, 0, &length, sizeof(length), NULL, 0, NULL, NULL);
    }
    case MICA_POSIX_STAT:
    case MICA_POSIX_LSTAT:
    case MICA_POSIX_ACCESS: {
      struct stat st;
      intptr_t r = path_request(op, (const char*)a[0], op == MICA_POSIX_ACCESS ? a[1] : 0, 0, &st,
                                sizeof(st));
      if (r >= 0 && op != MICA_POSIX_ACCESS) {
        memcpy((void*)a[1], &st, sizeof(st));
      }
      return r;
    }
    case MICA_POSIX_FSTAT: {
      struct stat st;
      intptr_t r = request(op, a[0], 0, 0, NULL, 0, &st, sizeof(st), NULL, NULL);
      if (r >= 0) {
        memcpy((void*)a[1], &st, sizeof(st));
      }
      return r;
    }
    case MICA_POSIX_READDIR: {
      struct dirent entry;
      intptr_t r = request(op, a[0], 0, 0, NULL, 0, &entry, sizeof(entry), NULL, NULL);
      if (r > 0) {
        memcpy((void*)a[1], &entry, sizeof(entry));
      }
      return r;
    }
    case MICA_POSIX_PIPE: {
      uintptr_t extra[3];
      intptr_t r = request(op, 0, 0, 0, NULL, 0, NULL, 0, NULL, extra);
      if (r >= 0) {
        ((int*)a[0])[0] = (int)extra[0];
        ((int*)a[0])[1] = (int)extra[1];
      }
      return r < 0 ? r : 0;
    }
    case MICA_POSIX_MKDIR:
      return path_request(op, (const char*)a[0], a[1], 0, NULL, 0);
    case MICA_POSIX_UNLINK:
    case MICA_POSIX_RMDIR:
    case MICA_POSIX_CHDIR:
      return path_request(op, (const char*)a[0], 0, 0, NULL, 0);
    case MICA_POSIX_RENAME:
    case MICA_POSIX_SYMLINK:
    case MICA_POSIX_LINK: {
      // Two paths: "first\0second\0", words[0] the second's offset.
      const char* from = (const char*)a[0];
      const char* to = (const char*)a[1];
      if (!from || !to) {
        return -EFAULT;
      }
      size_t nf = path_size(from), nt = path_size(to);
      if (nf > PATH_MAX || nt > PATH_MAX) {
        return -ENAMETOOLONG;
      }
      if (nt == 1 || (nf == 1 && op != MICA_POSIX_SYMLINK)) {
        return -ENOENT;
      }
      char* both = malloc(nf + nt);
      if (!both) {
        return -ENOMEM;
      }
      memcpy(both, from, nf);
      memcpy(both + nf, to, nt);
      intptr_t r = request(op, nf, 0, 0, both, nf + nt, NULL, 0, NULL, NULL);
      free(both);
      return r;
    }
    case MICA_POSIX_READLINK:
      if (!a[1]) {
        return -EFAULT;
      }
      return path_request(op, (const char*)a[0], a[2], 0, (void*)a[1], a[2]);
    case MICA_POSIX_GETCWD:
      if (!a[0]) {
        return -EFAULT;
      }
      return request(op, a[1], 0, 0, NULL, 0, (void*)a[0], a[1], NULL, NULL);
    case MICA_POSIX_IOCTL:
      return request(op, a[0], a[1], a[2], NULL, 0, NULL, 0, NULL, NULL);
    case MICA_POSIX_POLL: {
      struct pollfd* fds = (struct pollfd*)a[0];
      size_t n = a[1];
      if (n > 64) {
        return -EINVAL;
      }
      return request(op, n, a[2], 0, fds, n * sizeof(*fds), fds, n * sizeof(*fds), NULL, NULL);
    }
    case MICA_POSIX_WAITPID:
      return do_waitpid((pid_t)a[0], (int*)a[1], (int)a[2]);
    case MICA_POSIX_KILL:
      return do_kill((pid_t)a[0], (int)a[1]);
    case MICA_POSIX_GETPPID: {
      mica_handle_t router = __mica_router();
      if (router == MICA_HANDLE_INVALID) {
        return 0;
      }
      return router_request(MICA_ROUTER_PARENT, 0, 0);
    }
    default:
      return -ENOSYS;
  }
}

void __mica_posix_release(void) {
  if (vfs_endpoint != MICA_HANDLE_INVALID) {
    request(MICA_VFS_RELEASE, 0, 0, 0, NULL, 0, NULL, 0, NULL, NULL);
  }
}
