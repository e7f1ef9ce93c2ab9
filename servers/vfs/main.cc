// The VFS server: every process's file descriptors, working directory and
// path names. It mounts file systems (memfs with the ramdisk's tree at /,
// devfs at /dev, a memfs at /tmp), answers the MICA_POSIX_* requests of
// <mica/protocol.h>, keeps pipes, and forwards console reads and writes to
// the console server with the caller's reply handle, so that a read waiting
// for a line never holds the VFS up. Calls that must wait (a pipe read with
// nothing to read, a full pipe, poll) are deferred (MICA_SYS_IPC_REPLY_DEFER)
// and answered when they can be.
//
// A socket descriptor holds a kernel socket (MICA_VFS_SOCKET_INSTALL):
// libc sends and receives on its own handle to it, straight to the kernel;
// the VFS keeps the descriptor (dup, inheritance, close) and polls sockets
// together with pipes and the console, waiting on their handles in the
// kernel alongside its endpoint, never blocking on a socket operation.
//
// Clients are known by the pid the kernel stamps on each message. A process
// started through mica_spawn_path (or by the router) is introduced with
// MICA_VFS_ADOPT before it runs, which gives it descriptors and a handle the
// VFS watches, so that its descriptors close when it ends however it ends.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mica/calls.h>
#include <mica/posix.h>
#include <mica/protocol.h>
#include <mica/ramdisk.h>
#include <mica/spawn.h>
#include <mica/startup.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "devfs.h"
#include "memfs.h"
#include "namespace.h"
#include "path.h"
#include "remotefs.h"

namespace vfs {

uint64_t now_ns() {
  uint64_t t = 0;
  mica_clock_get(&t);
  return t;
}

namespace {

constexpr int kMaxFds = 64;
constexpr size_t kMaxClients = 128;
constexpr size_t kMaxOpenFiles = 512;
constexpr size_t kMaxPipes = 64;
constexpr size_t kPipeSize = 4096;
constexpr size_t kMaxWaiters = 8;  // deferred reads or writes per pipe
constexpr size_t kMaxPolls = 32;   // deferred polls
// How often a poll waiting for console input asks the console again (the
// console does not tell when a line arrives).
constexpr uint64_t kConsolePollNs = 20000000;
constexpr size_t kMaxPayload = 65536;

struct Pipe;

struct OpenFile {
  enum class Kind : uint8_t { kFree, kNode, kPipeRead, kPipeWrite, kDevice, kSocket };
  Kind kind = Kind::kFree;
  uint32_t refs = 0;
  int flags = 0;  // O_ACCMODE | O_APPEND | O_NONBLOCK
  FileSystem* fs = nullptr;
  uint64_t ino = 0;
  uint32_t device = 0;     // kDevice: DevFs::Device
  uint64_t offset = 0;     // files; directories: the readdir cookie
  uint64_t instance = 0;   // kNode: fs->instance() when it was opened
  bool directory = false;  // kNode: a directory (readdir, not read)
  Pipe* pipe = nullptr;
  mica_handle_t socket = MICA_HANDLE_INVALID;  // kSocket: the VFS's handle
};

struct PendingRead {
  mica_handle_t reply;
  size_t size;
};

struct PendingWrite {
  mica_handle_t reply;
  uint8_t* data;
  size_t size;
  size_t done;
};

struct Pipe {
  bool used;
  uint32_t readers, writers;  // open files on each end
  uint8_t buffer[kPipeSize];
  size_t head, count;
  PendingRead reads[kMaxWaiters];
  size_t read_count;
  PendingWrite writes[kMaxWaiters];
  size_t write_count;
};

struct Client {
  uint32_t pid = 0;
  OpenFile* fds[kMaxFds] = {};
  char cwd[kPathMax] = "/";
};

struct PendingPoll {
  bool used;
  mica_handle_t reply;
  uint32_t pid;
  size_t count;
  pollfd fds[64];
  uint64_t deadline;     // ~0: none
  bool watches_console;  // waits for console input: asked again every kConsolePollNs
};

mica_handle_t g_endpoint;
Namespace g_ns;
Client g_clients[kMaxClients];
OpenFile g_files[kMaxOpenFiles];
Pipe* g_pipes;  // kMaxPipes
PendingPoll g_polls[kMaxPolls];
DevFs* g_devfs;
mica_handle_t g_console = MICA_HANDLE_INVALID;
uint32_t g_router_pid = 0;  // from the reply to MICA_ROUTER_REGISTER

// ---- Replies ----

void reply(intptr_t result, const void* data = nullptr, size_t size = 0, uintptr_t w1 = 0,
           uintptr_t w2 = 0) {
  mica_message r = {};
  r.words[0] = static_cast<uintptr_t>(result);
  r.words[1] = w1;
  r.words[2] = w2;
  r.data = data;
  r.data_size = size;
  mica_ipc_reply_message(&r);
}

void answer(mica_handle_t reply_handle, intptr_t result, const void* data = nullptr,
            size_t size = 0) {
  mica_message r = {};
  r.words[0] = static_cast<uintptr_t>(result);
  r.data = data;
  r.data_size = size;
  mica_ipc_reply_to(reply_handle, &r);
}

// ---- Clients and descriptors ----

Client* find_client(uint32_t pid) {
  for (Client& c : g_clients) {
    if (c.pid == pid && pid != 0) return &c;
  }
  return nullptr;
}

OpenFile* new_file(OpenFile::Kind kind, int flags) {
  for (OpenFile& f : g_files) {
    if (f.kind != OpenFile::Kind::kFree) continue;
    f = OpenFile{};
    f.kind = kind;
    f.refs = 1;
    f.flags = flags;
    return &f;
  }
  return nullptr;
}

OpenFile* console_file() {
  OpenFile* f = new_file(OpenFile::Kind::kDevice, O_RDWR);
  if (f != nullptr) {
    f->fs = g_devfs;
    f->device = DevFs::kConsole;
    f->ino = DevFs::kConsole;
  }
  return f;
}

void pump(Pipe* p);
void poll_all();

void drop(OpenFile* f) {
  if (f == nullptr || --f->refs != 0) return;
  switch (f->kind) {
    case OpenFile::Kind::kNode:
      // Not on a restarted server: the file was open on the one that died.
      if (f->instance == f->fs->instance()) f->fs->closed(f->ino);
      break;
    case OpenFile::Kind::kPipeRead:
      --f->pipe->readers;
      pump(f->pipe);
      break;
    case OpenFile::Kind::kPipeWrite:
      --f->pipe->writers;
      pump(f->pipe);
      break;
    case OpenFile::Kind::kSocket:
      mica_handle_close(f->socket);
      break;
    default:
      break;
  }
  f->kind = OpenFile::Kind::kFree;
  poll_all();
}

// A process the VFS has not met: it gets the console as 0, 1 and 2 (the
// router, and processes started without MICA_VFS_ADOPT).
Client* client_for(uint32_t pid) {
  if (Client* c = find_client(pid)) return c;
  for (Client& c : g_clients) {
    if (c.pid != 0) continue;
    c = Client{};
    c.pid = pid;
    OpenFile* console = console_file();
    if (console != nullptr) {
      console->refs = 3;
      for (int fd = 0; fd < 3; ++fd) c.fds[fd] = console;
    }
    return &c;
  }
  return nullptr;
}

void release_client(Client* c) {
  for (OpenFile*& f : c->fds) {
    drop(f);
    f = nullptr;
  }
  *c = Client{};
}

int install(Client* c, OpenFile* f, int lowest = 0) {
  for (int fd = lowest; fd < kMaxFds; ++fd) {
    if (c->fds[fd] == nullptr) {
      c->fds[fd] = f;
      return fd;
    }
  }
  return -EMFILE;
}

OpenFile* file_of(Client* c, uintptr_t fd) {
  return fd < static_cast<uintptr_t>(kMaxFds) ? c->fds[fd] : nullptr;
}

// ---- Paths ----

// A descriptor opened on a file-system server that has died since.
bool stale(const OpenFile* f) {
  return f->kind == OpenFile::Kind::kNode && f->instance != f->fs->instance();
}

// For operations on a directory entry (create, remove, rename, link): the
// directory that holds the last component of `path` (links in the middle
// followed, not the last one) and the name, in *out. 0 whether or not the
// entry exists (out->node is valid if it does: *exists), or an error:
// -EBUSY for "/" and mount points, -EINVAL for a last component "." or "..".
int resolve_entry(Client* c, const char* path, Namespace::Result* out, bool* exists) {
  int r = g_ns.resolve(c->cwd, path, false, out);
  *exists = r == 0;
  if (r < 0 && !(r == -ENOENT && out->has_parent)) return r;
  if (out->name_length == 0) return strcmp(out->path, "/") == 0 ? -EBUSY : -EINVAL;
  if (r == 0 && g_ns.is_mount_point(out->path)) return -EBUSY;
  return 0;
}

// The payload as a path: NUL-terminated within its size.
const char* payload_path(const char* payload, size_t size) {
  if (size == 0 || memchr(payload, 0, size) == nullptr) return nullptr;
  return payload;
}

void fill_stat(const NodeInfo& info, struct stat* st, uint32_t fs_id) {
  memset(st, 0, sizeof(*st));
  st->st_dev = fs_id;
  st->st_ino = static_cast<ino_t>(info.ino);
  st->st_mode = info.mode;
  st->st_nlink = info.nlink;
  st->st_size = static_cast<off_t>(info.size);
  st->st_blksize = 4096;
  st->st_blocks = static_cast<blkcnt_t>(info.blocks);
  st->st_rdev = info.device;
  st->st_mtim.tv_sec = static_cast<time_t>(info.mtime_ns / 1000000000);
  st->st_mtim.tv_nsec = static_cast<long>(info.mtime_ns % 1000000000);
  st->st_atim = st->st_mtim;
  st->st_ctim = st->st_mtim;
}

uint32_t fs_id(FileSystem* fs) {
  return g_ns.id_of(fs);
}

// ---- The console ----

// The console server's endpoint. One that died is being restarted by the
// router: wait for it up to 3 s once it has been seen (before that, there
// may be none: writes go to the kernel log), or always for `reader`: a
// VFS restarted with the console has seen none yet, and a read must not
// end (as at end of file) because the console is a moment late.
bool console_endpoint(mica_handle_t* out, bool reader = false) {
  static bool seen = false;
  if (g_console != MICA_HANDLE_INVALID) {
    // A console that ended would fail the call and drop the reply handle
    // with it (the caller's write lost): look up its successor first.
    mica_wait_item item = {g_console, MICA_SIGNAL_PEER_CLOSED, 0};
    uint64_t zero = 0;
    if (mica_wait_many(&item, 1, &zero) != -ETIMEDOUT) {
      mica_handle_close(g_console);
      g_console = MICA_HANDLE_INVALID;
    }
  }
  for (int i = 0; g_console == MICA_HANDLE_INVALID; ++i) {
    if (mica_service_lookup(MICA_SERVICE_CONSOLE, &g_console) == 0) break;
    g_console = MICA_HANDLE_INVALID;
    if (!(seen || reader) || i == 150) return false;
    mica_sleep(20000000);
  }
  seen = true;
  *out = g_console;
  return true;
}

// Hands the call in hand to the console server, which answers the caller
// itself. False if there is no console (the call is still in hand then).
bool forward_to_console(uintptr_t label, uintptr_t word, const void* data, size_t size) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    mica_handle_t console;
    if (!console_endpoint(&console, label == MICA_CONSOLE_READ)) return false;
    mica_handle_t reply_handle;
    if (mica_ipc_reply_defer(&reply_handle) != 0) return false;
    mica_message m = {};
    m.label = label;
    m.words[0] = word;
    m.data = data;
    m.data_size = size;
    m.handle = reply_handle;
    int r = mica_ipc_call_message(console, &m);
    if (r == 0) return true;
    // The console went away (and took the reply handle with it: the caller
    // has its error). Look it up again next time.
    mica_handle_close(g_console);
    g_console = MICA_HANDLE_INVALID;
    return true;
  }
  return false;
}

// ---- Pipes ----

Pipe* new_pipe() {
  for (size_t i = 0; i < kMaxPipes; ++i) {
    Pipe* p = &g_pipes[i];
    if (p->used) continue;
    memset(p, 0, sizeof(*p));
    p->used = true;
    return p;
  }
  return nullptr;
}

size_t pipe_take(Pipe* p, uint8_t* out, size_t size) {
  size_t n = p->count < size ? p->count : size;
  for (size_t i = 0; i < n; ++i) out[i] = p->buffer[(p->head + i) % kPipeSize];
  p->head = (p->head + n) % kPipeSize;
  p->count -= n;
  return n;
}

size_t pipe_put(Pipe* p, const uint8_t* data, size_t size) {
  size_t room = kPipeSize - p->count;
  size_t n = room < size ? room : size;
  for (size_t i = 0; i < n; ++i) p->buffer[(p->head + p->count + i) % kPipeSize] = data[i];
  p->count += n;
  return n;
}

// Moves data between waiting writers, the buffer and waiting readers, and
// answers whoever can be answered.
void pump(Pipe* p) {
  static uint8_t chunk[kPipeSize];
  bool moved = true;
  while (moved) {
    moved = false;
    while (p->write_count > 0 && (p->count < kPipeSize || p->readers == 0)) {
      PendingWrite& w = p->writes[0];
      if (p->readers == 0) {
        answer(w.reply, w.done ? static_cast<intptr_t>(w.done) : -EPIPE);
      } else {
        w.done += pipe_put(p, w.data + w.done, w.size - w.done);
        moved = true;
        if (w.done < w.size) break;
        answer(w.reply, static_cast<intptr_t>(w.size));
      }
      free(w.data);
      memmove(&p->writes[0], &p->writes[1], sizeof(PendingWrite) * --p->write_count);
    }
    while (p->read_count > 0 && (p->count > 0 || p->writers == 0)) {
      PendingRead& r = p->reads[0];
      size_t n = pipe_take(p, chunk, r.size < sizeof(chunk) ? r.size : sizeof(chunk));
      answer(r.reply, static_cast<intptr_t>(n), chunk, n);
      memmove(&p->reads[0], &p->reads[1], sizeof(PendingRead) * --p->read_count);
      moved = true;
    }
  }
  if (p->readers == 0 && p->writers == 0 && p->read_count == 0 && p->write_count == 0) {
    p->used = false;
  }
  poll_all();
}

// ---- poll ----

bool is_console(const OpenFile* f) {
  return f->kind == OpenFile::Kind::kDevice && f->device == DevFs::kConsole;
}

// Whether a console read would complete at once (MICA_CONSOLE_POLL). A
// console that cannot be asked counts as readable: a read fails at once.
bool console_readable() {
  mica_handle_t console;
  if (!console_endpoint(&console)) return true;
  mica_message m = {};
  m.label = MICA_CONSOLE_POLL;
  if (mica_ipc_call_message(console, &m) != 0) {
    mica_handle_close(g_console);
    g_console = MICA_HANDLE_INVALID;
    return true;
  }
  return static_cast<intptr_t>(m.words[0]) != 0;
}

// The kernel signals that make a socket polled for `events` ready (the
// peer closing always does: POLLHUP).
uint32_t socket_signals(short events) {
  uint32_t wanted = MICA_SIGNAL_PEER_CLOSED;
  if (events & POLLIN) wanted |= MICA_SIGNAL_READABLE;
  if (events & POLLOUT) wanted |= MICA_SIGNAL_WRITABLE;
  return wanted;
}

short poll_events(Client* c, const pollfd& q) {
  OpenFile* f = q.fd >= 0 ? file_of(c, static_cast<uintptr_t>(q.fd)) : nullptr;
  if (q.fd < 0) return 0;
  if (f == nullptr) return POLLNVAL;
  short ready = 0;
  switch (f->kind) {
    case OpenFile::Kind::kPipeRead:
      if (f->pipe->count > 0) ready |= POLLIN;
      if (f->pipe->writers == 0) ready |= POLLHUP;
      break;
    case OpenFile::Kind::kPipeWrite:
      if (f->pipe->count < kPipeSize) ready |= POLLOUT;
      if (f->pipe->readers == 0) ready |= POLLERR;
      break;
    case OpenFile::Kind::kSocket: {
      // The signals the kernel socket asserts now (a wait that does not wait).
      mica_wait_item item = {f->socket, socket_signals(q.events), 0};
      uint64_t no_wait = 0;
      (void)mica_wait_many(&item, 1, &no_wait);
      if (item.observed & MICA_SIGNAL_READABLE) ready |= POLLIN;
      if (item.observed & MICA_SIGNAL_WRITABLE) ready |= POLLOUT;
      if (item.observed & MICA_SIGNAL_PEER_CLOSED) ready |= POLLHUP;
      break;
    }
    default:
      // Files and devices never make a reader wait, but the console: a read
      // there waits for a line.
      ready |= POLLOUT;
      if (!is_console(f) || ((q.events & POLLIN) != 0 && console_readable())) ready |= POLLIN;
      break;
  }
  return static_cast<short>(ready & (q.events | POLLHUP | POLLERR | POLLNVAL));
}

int evaluate(Client* c, pollfd* fds, size_t count) {
  int ready = 0;
  for (size_t i = 0; i < count; ++i) {
    fds[i].revents = poll_events(c, fds[i]);
    if (fds[i].revents != 0) ++ready;
  }
  return ready;
}

void poll_all() {
  uint64_t now = now_ns();
  for (PendingPoll& p : g_polls) {
    if (!p.used) continue;
    Client* c = find_client(p.pid);
    int ready = c != nullptr ? evaluate(c, p.fds, p.count) : -EBADF;
    if (ready == 0 && now < p.deadline) continue;
    answer(p.reply, ready, p.fds, sizeof(pollfd) * p.count);
    p.used = false;
  }
}

// Whether fds[0..count) of `c` wait for console input.
bool watches_console(Client* c, const pollfd* fds, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    OpenFile* f = fds[i].fd >= 0 ? file_of(c, static_cast<uintptr_t>(fds[i].fd)) : nullptr;
    if (f != nullptr && is_console(f) && (fds[i].events & POLLIN) != 0) return true;
  }
  return false;
}

// What the main loop waits on besides its endpoint: the sockets of the
// deferred polls (their state changes with no message to the VFS). Fills
// items[1..] and returns the count including the endpoint at items[0].
size_t poll_wait_items(mica_wait_item* items, size_t capacity) {
  size_t n = 1;
  items[0] = {g_endpoint, MICA_SIGNAL_READABLE, 0};
  for (const PendingPoll& p : g_polls) {
    if (!p.used) continue;
    Client* c = find_client(p.pid);
    if (c == nullptr) continue;
    for (size_t i = 0; i < p.count && n < capacity; ++i) {
      OpenFile* f = p.fds[i].fd >= 0 ? file_of(c, static_cast<uintptr_t>(p.fds[i].fd)) : nullptr;
      if (f == nullptr || f->kind != OpenFile::Kind::kSocket) continue;
      items[n++] = {f->socket, socket_signals(p.fds[i].events), 0};
    }
  }
  return n;
}

uint64_t next_poll_deadline() {
  uint64_t earliest = ~uint64_t{0};
  uint64_t console_check = ~uint64_t{0};
  for (const PendingPoll& p : g_polls) {
    if (!p.used) continue;
    if (p.deadline < earliest) earliest = p.deadline;
    if (p.watches_console && console_check == ~uint64_t{0})
      console_check = now_ns() + kConsolePollNs;
  }
  return console_check < earliest ? console_check : earliest;
}

// ---- Requests ----

void do_open(Client* c, const char* path, int flags, uint32_t mode, bool directory) {
  // O_CREAT | O_EXCL does not follow a last symlink: it exists.
  bool exclusive = (flags & O_CREAT) && (flags & O_EXCL);
  Namespace::Result res;
  int r = g_ns.resolve(c->cwd, path, !exclusive, &res);
  Location at = res.node;
  uint32_t type = res.mode;
  if (r == -ENOENT && (flags & O_CREAT) && !directory && res.has_parent) {
    at.fs = res.parent.fs;
    r = at.fs->create(res.parent.ino, res.name(), res.name_length, mode & ~0022u, &at.ino);
    if (r < 0) return reply(r);
    type = S_IFREG;
  } else if (r < 0) {
    return reply(r);
  } else if (exclusive) {
    return reply(-EEXIST);
  }
  int access = flags & O_ACCMODE;
  if (S_ISDIR(type)) {
    if (access != O_RDONLY) return reply(-EISDIR);
  } else if (directory || (flags & O_DIRECTORY)) {
    return reply(-ENOTDIR);
  }
  NodeInfo info;
  bool device = at.fs == g_devfs && at.fs->stat(at.ino, &info) == 0 && S_ISCHR(info.mode);
  if (access != O_RDONLY && !device && at.fs->read_only()) return reply(-EROFS);
  if (!device && !S_ISDIR(type) && (flags & O_TRUNC) && access != O_RDONLY) {
    r = at.fs->truncate(at.ino, 0);
    if (r < 0) return reply(r);
  }
  OpenFile* f = new_file(device ? OpenFile::Kind::kDevice : OpenFile::Kind::kNode,
                         flags & (O_ACCMODE | O_APPEND | O_NONBLOCK));
  if (f == nullptr) return reply(-ENFILE);
  f->fs = at.fs;
  f->ino = at.ino;
  f->directory = S_ISDIR(type);
  f->device = device ? info.device : 0;
  // The instance first: if the server dies while it is told, the file is
  // stale at once.
  f->instance = at.fs->instance();
  if (!device) at.fs->opened(at.ino);
  int fd = install(c, f);
  if (fd < 0) drop(f);
  reply(fd);
}

void do_read(Client* c, OpenFile* f, size_t size) {
  static uint8_t buffer[kMaxPayload];
  if (size > sizeof(buffer)) size = sizeof(buffer);
  if ((f->flags & O_ACCMODE) == O_WRONLY) return reply(-EBADF);
  switch (f->kind) {
    case OpenFile::Kind::kNode: {
      if (stale(f)) return reply(-EIO);
      long n = f->fs->read(f->ino, f->offset, buffer, size);
      if (n > 0) f->offset += static_cast<uint64_t>(n);
      return reply(n, buffer, n > 0 ? static_cast<size_t>(n) : 0);
    }
    case OpenFile::Kind::kPipeRead: {
      Pipe* p = f->pipe;
      if (p->count > 0 || p->writers == 0) {
        size_t n = pipe_take(p, buffer, size);
        reply(static_cast<intptr_t>(n), buffer, n);
        pump(p);
        return;
      }
      if (f->flags & O_NONBLOCK) return reply(-EAGAIN);
      if (p->read_count == kMaxWaiters) return reply(-EAGAIN);
      mica_handle_t h;
      if (mica_ipc_reply_defer(&h) != 0) return reply(-EIO);
      p->reads[p->read_count++] = {h, size};
      return;
    }
    case OpenFile::Kind::kDevice:
      if (f->device == DevFs::kConsole) {
        if (!forward_to_console(MICA_CONSOLE_READ, size, nullptr, 0)) reply(0);
        return;
      }
      {
        long n = g_devfs->read_device(f->device, buffer, size);
        return reply(n, buffer, n > 0 ? static_cast<size_t>(n) : 0);
      }
    case OpenFile::Kind::kSocket:
      return reply(-ENOTSOCK);  // libc reads the kernel socket itself
    default:
      return reply(-EBADF);
  }
}

void do_write(Client* c, OpenFile* f, const uint8_t* data, size_t size) {
  if ((f->flags & O_ACCMODE) == O_RDONLY) return reply(-EBADF);
  switch (f->kind) {
    case OpenFile::Kind::kNode: {
      if (stale(f)) return reply(-EIO);
      if (f->flags & O_APPEND) {
        NodeInfo info;
        if (f->fs->stat(f->ino, &info) == 0) f->offset = info.size;
      }
      long n = f->fs->write(f->ino, f->offset, data, size);
      if (n > 0) f->offset += static_cast<uint64_t>(n);
      return reply(n);
    }
    case OpenFile::Kind::kPipeWrite: {
      Pipe* p = f->pipe;
      if (p->readers == 0) return reply(-EPIPE);
      size_t n = p->write_count == 0 ? pipe_put(p, data, size) : 0;
      if (n == size || ((f->flags & O_NONBLOCK) && n > 0)) {
        reply(static_cast<intptr_t>(n));
        pump(p);
        return;
      }
      if ((f->flags & O_NONBLOCK) || p->write_count == kMaxWaiters) {
        reply(n > 0 ? static_cast<intptr_t>(n) : -EAGAIN);
        pump(p);
        return;
      }
      uint8_t* copy = static_cast<uint8_t*>(malloc(size));
      mica_handle_t h;
      if (copy == nullptr || mica_ipc_reply_defer(&h) != 0) {
        free(copy);
        reply(n > 0 ? static_cast<intptr_t>(n) : -ENOMEM);
        return;
      }
      memcpy(copy, data, size);
      p->writes[p->write_count++] = {h, copy, size, n};
      pump(p);
      return;
    }
    case OpenFile::Kind::kDevice:
      if (f->device == DevFs::kConsole) {
        if (!forward_to_console(MICA_CONSOLE_WRITE, 0, data, size)) {
          reply(mica_debug_write(reinterpret_cast<const char*>(data), size));
        }
        return;
      }
      return reply(g_devfs->write_device(f->device, data, size));
    case OpenFile::Kind::kSocket:
      return reply(-ENOTSOCK);  // libc writes the kernel socket itself
    default:
      return reply(-EBADF);
  }
}

void do_stat_node(FileSystem* fs, uint64_t ino) {
  NodeInfo info;
  int r = fs->stat(ino, &info);
  if (r < 0) return reply(r);
  struct stat st;
  fill_stat(info, &st, fs_id(fs));
  reply(0, &st, sizeof(st));
}

void do_fstat(OpenFile* f) {
  struct stat st;
  memset(&st, 0, sizeof(st));
  switch (f->kind) {
    case OpenFile::Kind::kNode:
    case OpenFile::Kind::kDevice:
      if (stale(f)) return reply(-EIO);
      return do_stat_node(f->fs, f->ino);
    case OpenFile::Kind::kPipeRead:
    case OpenFile::Kind::kPipeWrite:
      st.st_mode = S_IFIFO | 0600;
      st.st_nlink = 1;
      st.st_size = static_cast<off_t>(f->pipe->count);
      st.st_blksize = kPipeSize;
      return reply(0, &st, sizeof(st));
    case OpenFile::Kind::kSocket:
      st.st_mode = S_IFSOCK | 0777;
      st.st_nlink = 1;
      st.st_blksize = 4096;
      return reply(0, &st, sizeof(st));
    default:
      return reply(-EBADF);
  }
}

// POSIX: EINVAL for what is not a file open for writing, and for a
// negative length.
void do_ftruncate(OpenFile* f, int64_t length) {
  if (f->kind != OpenFile::Kind::kNode || f->directory || (f->flags & O_ACCMODE) == O_RDONLY ||
      length < 0) {
    return reply(-EINVAL);
  }
  if (stale(f)) return reply(-EIO);
  return reply(f->fs->truncate(f->ino, static_cast<uint64_t>(length)));
}

void do_lseek(OpenFile* f, int64_t offset, int whence) {
  if (f->kind != OpenFile::Kind::kNode) {
    return reply(f->kind == OpenFile::Kind::kDevice ? 0 : -ESPIPE);
  }
  if (stale(f)) return reply(-EIO);
  if (f->directory) {
    if (whence != SEEK_SET || offset != 0) return reply(-EINVAL);
    f->offset = 0;
    return reply(0, nullptr, 0, 0, 0);
  }
  // Only SEEK_END needs the size (a request to the server for ext2).
  NodeInfo info = {};
  if (whence == SEEK_END) {
    int r = f->fs->stat(f->ino, &info);
    if (r < 0) return reply(r);
  }
  int64_t base = whence == SEEK_SET   ? 0
                 : whence == SEEK_CUR ? static_cast<int64_t>(f->offset)
                 : whence == SEEK_END ? static_cast<int64_t>(info.size)
                                      : -1;
  if (base < 0) return reply(-EINVAL);
  int64_t target = base + offset;
  if (target < 0) return reply(-EINVAL);
  f->offset = static_cast<uint64_t>(target);
  uint64_t result = f->offset;
  reply(0, nullptr, 0, static_cast<uintptr_t>(result),
        static_cast<uintptr_t>(sizeof(uintptr_t) < 8 ? result >> 32 : 0));
}

void do_readdir(OpenFile* f) {
  if (f->kind != OpenFile::Kind::kNode) return reply(-ENOTDIR);
  if (stale(f)) return reply(-EIO);
  DirEntry entry;
  int r = f->fs->readdir(f->ino, &f->offset, &entry);
  if (r <= 0) return reply(r);
  struct dirent out;
  memset(&out, 0, sizeof(out));
  out.d_ino = static_cast<ino_t>(entry.ino);
  out.d_type = entry.type;
  strlcpy(out.d_name, entry.name, sizeof(out.d_name));
  reply(1, &out, sizeof(out));
}

// mkdir, unlink, rmdir, symlink: the operation on the last component's
// directory.
template <typename Operation>
void on_parent(Client* c, const char* path, Operation operation) {
  Namespace::Result res;
  bool exists;
  int r = resolve_entry(c, path, &res, &exists);
  if (r < 0) return reply(r);
  reply(operation(res.parent, res.name(), res.name_length));
}

void do_rename(Client* c, const char* from, const char* to) {
  static Namespace::Result a, b;
  bool exists;
  int r = resolve_entry(c, from, &a, &exists);
  if (r == 0 && !exists) r = -ENOENT;
  if (r == 0) r = resolve_entry(c, to, &b, &exists);
  if (r < 0) return reply(r);
  if (a.parent.fs != b.parent.fs) return reply(-EXDEV);
  reply(a.parent.fs->rename(a.parent.ino, a.name(), a.name_length, b.parent.ino, b.name(),
                            b.name_length));
}

// A hard link `to` for `from` (not followed if it is a symlink, as Linux).
void do_link(Client* c, const char* from, const char* to) {
  static Namespace::Result a, b;
  int r = g_ns.resolve(c->cwd, from, false, &a);
  if (r < 0) return reply(r);
  if (S_ISDIR(a.mode)) return reply(-EPERM);
  bool exists;
  r = resolve_entry(c, to, &b, &exists);
  if (r < 0) return reply(r);
  if (exists) return reply(-EEXIST);
  if (a.node.fs != b.parent.fs) return reply(-EXDEV);
  reply(a.node.fs->link(a.node.ino, b.parent.ino, b.name(), b.name_length));
}

void do_readlink(Client* c, const char* path, size_t size) {
  static char target[kPathMax];
  Namespace::Result res;
  int r = g_ns.resolve(c->cwd, path, false, &res);
  if (r < 0) return reply(r);
  if (!S_ISLNK(res.mode)) return reply(-EINVAL);
  if (size > sizeof(target)) size = sizeof(target);
  int n = res.node.fs->readlink(res.node.ino, target, size);
  reply(n, target, n > 0 ? static_cast<size_t>(n) : 0);
}

// The two NUL-terminated strings of a payload ("first\0second\0", the
// second at `offset`), or false.
bool two_paths(const char* payload, size_t size, size_t offset, const char** second) {
  if (payload_path(payload, size) == nullptr || offset == 0 || offset >= size ||
      memchr(payload + offset, 0, size - offset) == nullptr) {
    return false;
  }
  *second = payload + offset;
  return true;
}

void do_adopt(Client* parent, const mica_message& m, const char* payload) {
  uint32_t pid = static_cast<uint32_t>(m.words[0]);
  if (m.handle == MICA_HANDLE_INVALID || pid == 0 || m.data_size % 8 != 0 ||
      m.data_size / 8 > MICA_VFS_MAX_INHERIT) {
    if (m.handle != MICA_HANDLE_INVALID) mica_handle_close(m.handle);
    return reply(-EINVAL);
  }
  if (Client* old = find_client(pid)) release_client(old);
  Client* child = nullptr;
  for (Client& c : g_clients) {
    if (c.pid == 0) {
      child = &c;
      break;
    }
  }
  if (child == nullptr || mica_process_watch(m.handle, g_endpoint, pid) != 0) {
    mica_handle_close(m.handle);
    return reply(-ENOSPC);
  }
  mica_handle_close(m.handle);
  *child = Client{};
  child->pid = pid;
  if (m.words[1] != 0) strlcpy(child->cwd, parent->cwd, sizeof(child->cwd));
  const int32_t* pairs = reinterpret_cast<const int32_t*>(payload);
  for (size_t i = 0; i < m.data_size / 8; ++i) {
    int32_t to = pairs[2 * i], from = pairs[2 * i + 1];
    if (to < 0 || to >= kMaxFds || from < 0 || from >= kMaxFds) continue;
    OpenFile* f = parent->fds[from];
    if (f == nullptr) continue;
    drop(child->fds[to]);
    ++f->refs;
    child->fds[to] = f;
  }
  reply(0);
}

// Writes every file system back; the first error, or 0.
int sync_all() {
  int result = 0;
  for (size_t i = 0; i < g_ns.mount_count(); ++i) {
    int r = g_ns.mount_at(i).fs->sync(true);
    if (r < 0 && result == 0) result = r;
  }
  return result;
}

// The router's messages (sent, never called: <mica/protocol.h>).
void serve_router(const mica_message& m) {
  mica_handle_t router = mica_startup_handle(MICA_STARTUP_ROUTER);
  if (m.sender != g_router_pid) {
    if (m.handle != MICA_HANDLE_INVALID) mica_handle_close(m.handle);
    return;
  }
  if (m.label == MICA_VFS_SHUTDOWN) {
    mica_message done = {};
    done.label = MICA_ROUTER_SYNCED;
    done.words[0] = static_cast<uintptr_t>(static_cast<intptr_t>(sync_all()));
    mica_ipc_send(router, &done, 0);
    return;
  }
  // MICA_VFS_WATCH: a process the router started. It may have asked
  // something already (and so have its console descriptors), or even have
  // ended: a watch on an ended process reports its end at once.
  uint32_t pid = static_cast<uint32_t>(m.words[0]);
  if (m.handle == MICA_HANDLE_INVALID || pid == 0) return;
  Client* c = client_for(pid);
  if (c == nullptr || mica_process_watch(m.handle, g_endpoint, pid) != 0) {
    printf("vfs: cannot watch pid %u: its descriptors stay open\n", pid & 0xffff);
  }
  mica_handle_close(m.handle);
}

// A kernel socket the caller made becomes one of its descriptors.
void do_socket_install(Client* c, const mica_message& m) {
  mica_handle_info info;
  if (m.handle == MICA_HANDLE_INVALID || mica_handle_info(m.handle, &info) != 0 ||
      info.type != MICA_OBJECT_SOCKET) {
    if (m.handle != MICA_HANDLE_INVALID) mica_handle_close(m.handle);
    return reply(-EINVAL);
  }
  OpenFile* f =
      new_file(OpenFile::Kind::kSocket, O_RDWR | (static_cast<int>(m.words[0]) & O_NONBLOCK));
  if (f == nullptr) {
    mica_handle_close(m.handle);
    return reply(-ENFILE);
  }
  f->socket = m.handle;
  int fd = install(c, f);
  if (fd < 0) drop(f);
  reply(fd);
}

// What a request changes on the disk is made consistent there by the ext2
// server before it answers (so a crash or a kill leaves the file system
// clean for e2fsck): nothing to sync here after each request.
void serve(mica_message& m, char* payload) {
  if (m.label == MICA_LABEL_PROCESS_EXIT && m.sender == 0) {
    if (Client* c = find_client(static_cast<uint32_t>(m.words[0]))) release_client(c);
    poll_all();
    return;
  }
  if (m.label == MICA_LABEL_IRQ) return;
  if (m.label == MICA_VFS_WATCH || m.label == MICA_VFS_SHUTDOWN) return serve_router(m);
  Client* c = client_for(m.sender);
  if (c == nullptr) return reply(-ENOMEM);
  const uintptr_t* w = m.words;
  const char* path = payload_path(payload, m.data_size);
  switch (m.label) {
    case MICA_VFS_ADOPT:
      return do_adopt(c, m, payload);
    case MICA_VFS_RELEASE:
      release_client(c);
      return reply(0);
    case MICA_VFS_SYNC:
      return reply(sync_all());
    case MICA_POSIX_OPEN:
      if (path == nullptr) return reply(-EFAULT);
      return do_open(c, path, static_cast<int>(w[0]), static_cast<uint32_t>(w[1]), false);
    case MICA_POSIX_OPENDIR:
      if (path == nullptr) return reply(-EFAULT);
      return do_open(c, path, O_RDONLY, 0, true);
    case MICA_POSIX_ACCESS:
    case MICA_POSIX_STAT:
    case MICA_POSIX_LSTAT: {
      if (path == nullptr) return reply(-EFAULT);
      Namespace::Result res;
      int r = g_ns.resolve(c->cwd, path, m.label != MICA_POSIX_LSTAT, &res);
      if (r < 0) return reply(r);
      if (m.label == MICA_POSIX_ACCESS) return reply(0);
      return do_stat_node(res.node.fs, res.node.ino);
    }
    case MICA_POSIX_CHDIR: {
      if (path == nullptr) return reply(-EFAULT);
      Namespace::Result res;
      int r = g_ns.resolve(c->cwd, path, true, &res);
      if (r < 0) return reply(r);
      if (!S_ISDIR(res.mode)) return reply(-ENOTDIR);
      strlcpy(c->cwd, res.path, sizeof(c->cwd));
      return reply(0);
    }
    case MICA_POSIX_READLINK:
      if (path == nullptr) return reply(-EFAULT);
      return do_readlink(c, path, w[0]);
    case MICA_POSIX_SYMLINK: {
      // payload: "target\0path\0", words[0]: the offset of path.
      const char* link_path;
      if (!two_paths(payload, m.data_size, w[0], &link_path)) return reply(-EFAULT);
      size_t target_length = strlen(payload);
      if (target_length == 0) return reply(-ENOENT);
      return on_parent(c, link_path, [&](Location& d, const char* name, size_t length) {
        uint64_t ino;
        return d.fs->symlink(d.ino, name, length, payload, target_length, &ino);
      });
    }
    case MICA_POSIX_LINK: {
      const char* to;
      if (!two_paths(payload, m.data_size, w[0], &to)) return reply(-EFAULT);
      return do_link(c, payload, to);
    }
    case MICA_POSIX_GETCWD: {
      size_t n = strlen(c->cwd) + 1;
      if (w[0] < n) return reply(-ERANGE);
      return reply(0, c->cwd, n);
    }
    case MICA_POSIX_MKDIR: {
      if (path == nullptr) return reply(-EFAULT);
      // "/" and a mount point exist: EEXIST, as for any directory (mkdir -p
      // /tmp/d goes on), not resolve_entry's EBUSY.
      Namespace::Result res;
      bool exists;
      if (resolve_entry(c, path, &res, &exists) == -EBUSY && exists) return reply(-EEXIST);
      return on_parent(c, path, [&](Location& d, const char* name, size_t length) {
        uint64_t ino;
        return d.fs->mkdir(d.ino, name, length, static_cast<uint32_t>(w[0]) & ~0022u, &ino);
      });
    }
    case MICA_POSIX_UNLINK:
      if (path == nullptr) return reply(-EFAULT);
      return on_parent(c, path, [](Location& d, const char* name, size_t length) {
        return d.fs->unlink(d.ino, name, length);
      });
    case MICA_POSIX_RMDIR:
      if (path == nullptr) return reply(-EFAULT);
      return on_parent(c, path, [](Location& d, const char* name, size_t length) {
        return d.fs->rmdir(d.ino, name, length);
      });
    case MICA_POSIX_RENAME: {
      const char* to;
      if (!two_paths(payload, m.data_size, w[0], &to)) return reply(-EFAULT);
      return do_rename(c, payload, to);
    }
    case MICA_VFS_SOCKET_INSTALL:
      return do_socket_install(c, m);
    case MICA_POSIX_PIPE: {
      Pipe* p = new_pipe();
      if (p == nullptr) return reply(-ENFILE);
      OpenFile* r = new_file(OpenFile::Kind::kPipeRead, O_RDONLY);
      OpenFile* wr = r != nullptr ? new_file(OpenFile::Kind::kPipeWrite, O_WRONLY) : nullptr;
      if (wr == nullptr) {
        if (r != nullptr) r->kind = OpenFile::Kind::kFree;
        p->used = false;
        return reply(-ENFILE);
      }
      r->pipe = wr->pipe = p;
      p->readers = p->writers = 1;
      int a = install(c, r);
      int b = a >= 0 ? install(c, wr) : -EMFILE;
      if (b < 0) {
        if (a >= 0) c->fds[a] = nullptr;
        drop(r);
        drop(wr);
        return reply(-EMFILE);
      }
      return reply(0, nullptr, 0, static_cast<uintptr_t>(a), static_cast<uintptr_t>(b));
    }
    case MICA_POSIX_POLL: {
      size_t count = w[0];
      if (count > 64 || m.data_size != count * sizeof(pollfd)) return reply(-EINVAL);
      pollfd fds[64];
      memcpy(fds, payload, m.data_size);
      int ready = evaluate(c, fds, count);
      int timeout = static_cast<int>(w[1]);
      if (ready != 0 || timeout == 0) return reply(ready, fds, m.data_size);
      for (PendingPoll& p : g_polls) {
        if (p.used) continue;
        mica_handle_t h;
        if (mica_ipc_reply_defer(&h) != 0) return reply(-EIO);
        p.used = true;
        p.reply = h;
        p.pid = c->pid;
        p.count = count;
        memcpy(p.fds, fds, m.data_size);
        p.deadline = timeout < 0 ? ~uint64_t{0} : now_ns() + uint64_t(timeout) * 1000000;
        p.watches_console = watches_console(c, fds, count);
        return;
      }
      return reply(-EAGAIN);
    }
    default:
      break;
  }
  // The rest act on a descriptor.
  OpenFile* f = file_of(c, w[0]);
  if (f == nullptr) return reply(-EBADF);
  switch (m.label) {
    case MICA_POSIX_READ:
      return do_read(c, f, w[1]);
    case MICA_POSIX_WRITE:
      return do_write(c, f, reinterpret_cast<const uint8_t*>(payload), m.data_size);
    case MICA_POSIX_CLOSE:
      c->fds[w[0]] = nullptr;
      drop(f);
      return reply(0);
    case MICA_POSIX_DUP: {
      int fd = install(c, f);
      if (fd >= 0) ++f->refs;
      return reply(fd);
    }
    case MICA_POSIX_DUP2: {
      uintptr_t to = w[1];
      if (to >= static_cast<uintptr_t>(kMaxFds)) return reply(-EBADF);
      if (to == w[0]) return reply(static_cast<intptr_t>(to));
      ++f->refs;
      drop(c->fds[to]);
      c->fds[to] = f;
      return reply(static_cast<intptr_t>(to));
    }
    case MICA_POSIX_FCNTL:
      switch (static_cast<int>(w[1])) {
        case F_DUPFD: {
          int fd = install(c, f, static_cast<int>(w[2]));
          if (fd >= 0) ++f->refs;
          return reply(fd);
        }
        case F_GETFL:
          return reply(f->flags);
        case F_SETFL:
          f->flags = (f->flags & O_ACCMODE) | (static_cast<int>(w[2]) & (O_APPEND | O_NONBLOCK));
          return reply(0);
        case F_GETFD:
        case F_SETFD:
          return reply(0);
        default:
          return reply(-EINVAL);
      }
    case MICA_POSIX_FTRUNCATE: {
      int64_t length = -1;
      if (m.data_size == sizeof(length)) memcpy(&length, payload, sizeof(length));
      return do_ftruncate(f, length);
    }
    case MICA_POSIX_LSEEK: {
      int64_t offset = 0;
      if (m.data_size == sizeof(offset)) memcpy(&offset, payload, sizeof(offset));
      return do_lseek(f, offset, static_cast<int>(w[2]));
    }
    case MICA_VFS_SOCKET_HANDLE: {
      if (f->kind != OpenFile::Kind::kSocket) return reply(-ENOTSOCK);
      mica_message r = {};
      if (mica_handle_duplicate(
              f->socket,
              MICA_RIGHT_DUPLICATE | MICA_RIGHT_TRANSFER | MICA_RIGHT_READ | MICA_RIGHT_WRITE,
              &r.handle) != 0) {
        return reply(-ENFILE);
      }
      r.words[0] = 0;
      r.words[1] = static_cast<uintptr_t>(f->flags);
      mica_ipc_reply_message(&r);
      return;
    }
    case MICA_POSIX_FSTAT:
      return do_fstat(f);
    case MICA_POSIX_READDIR:
      return do_readdir(f);
    case MICA_POSIX_ISATTY:
      return reply(f->kind == OpenFile::Kind::kDevice && f->device == DevFs::kConsole ? 1
                                                                                      : -ENOTTY);
    case MICA_POSIX_IOCTL:
      if (f->kind == OpenFile::Kind::kDevice && f->device == DevFs::kConsole &&
          w[1] == MICA_IOCTL_CONSOLE_MODE) {
        if (!forward_to_console(MICA_CONSOLE_SET_MODE, w[2], nullptr, 0)) reply(-EIO);
        return;
      }
      return reply(-ENOTTY);
    default:
      return reply(-ENOSYS);
  }
}

bool register_with_router() {
  mica_handle_t router = mica_startup_handle(MICA_STARTUP_ROUTER);
  mica_handle_t copy;
  if (router == MICA_HANDLE_INVALID ||
      mica_handle_duplicate(
          g_endpoint, MICA_RIGHT_WRITE | MICA_RIGHT_TRANSFER | MICA_RIGHT_DUPLICATE, &copy) != 0) {
    return false;
  }
  mica_message m = {};
  m.label = MICA_ROUTER_REGISTER;
  m.data = MICA_SERVICE_VFS;
  m.data_size = sizeof(MICA_SERVICE_VFS);
  m.handle = copy;
  if (mica_ipc_call_message(router, &m) != 0 || m.words[0] != 0) return false;
  g_router_pid = static_cast<uint32_t>(m.words[1]);
  return true;
}

// The boot module's tree as a memfs: read-only (sized to the archive), or
// writable (for the root, with room to grow). nullptr, said why, when
// there is no ramdisk; a damaged one gives what comes before the damage.
MemFs* load_ramdisk(bool read_only) {
  static const void* archive = nullptr;
  static size_t size = 0;
  if (archive == nullptr) {
    mica_handle_t ramdisk = mica_startup_handle(MICA_STARTUP_RAMDISK);
    mica_handle_info info;
    uintptr_t address = 0;
    if (ramdisk == MICA_HANDLE_INVALID || mica_handle_info(ramdisk, &info) != 0 ||
        mica_memory_map(MICA_HANDLE_SELF, ramdisk, 0x50000000, info.size, MICA_PROT_READ, 0,
                        &address) != 0) {
      if (read_only) printf("vfs: no ramdisk\n");
      return read_only ? nullptr : new MemFs("ramfs", 64u << 20);
    }
    archive = reinterpret_cast<const void*>(address);
    size = info.size;
  }
  uint32_t nodes = MemFs::kMaxNodes;
  if (read_only) {
    // Each entry, and as many directories again that only its paths name.
    size_t offset = 0, entries = 0;
    mica_ramdisk_entry entry;
    while (mica_ramdisk_next(archive, size, &offset, &entry) > 0) ++entries;
    if (2 * entries + 2 < nodes) nodes = static_cast<uint32_t>(2 * entries + 2);
  }
  auto* fs = new MemFs(read_only ? "ramdisk" : "ramfs", read_only ? size : 64u << 20, nodes);
  int r = fs->load_archive(archive, size);
  if (r < 0 && read_only) {
    printf("vfs: the ramdisk is damaged (%s); mounted what came before\n", strerror(-r));
  }
  if (read_only) fs->set_read_only();
  return fs;
}

}  // namespace
}  // namespace vfs

// The VFS's own output goes to the kernel log: through libc it would be a
// request to itself.
intptr_t log_only(int op, const uintptr_t args[6]) {
  if (op == MICA_POSIX_WRITE && args[0] <= 2) {
    return mica_debug_write(reinterpret_cast<const char*>(args[1]), args[2]);
  }
  return -ENOSYS;
}

int main() {
  using namespace vfs;
  mica_posix_set_handler(log_only);
  g_pipes = static_cast<Pipe*>(calloc(kMaxPipes, sizeof(Pipe)));
  // Exit notices of every client fit in the queue.
  if (g_pipes == nullptr || mica_endpoint_create(kMaxClients + 8, &g_endpoint) != 0) {
    printf("vfs: out of memory\n");
    return 1;
  }
  auto* tmp = new MemFs("tmpfs", 16u << 20);
  g_devfs = new DevFs();
  // The root: the disk's ext2 partition, served by the ext2 server (which
  // the router started before the VFS, where the product has a disk
  // driver), else the ramdisk's tree in memory.
  // The boot module, read-only at /ramdisk. The root: the disk's ext2
  // partition, served by the ext2 server (which the router started before
  // the VFS, where the product has a disk driver), else the ramdisk's tree
  // again, writable in memory (copy on write: what is not written stays in
  // the boot module).
  MemFs* ramdisk = load_ramdisk(true);
  FileSystem* root = RemoteFs::connect(MICA_SERVICE_EXT2, "ext2");
  const char* root_kind = "ext2";
  if (root == nullptr) {
    printf(
        "vfs: no ext2 server (no disk, or its file system cannot be mounted): / is the "
        "ramdisk\n");
    root = load_ramdisk(false);
    root_kind = "ramfs (the ramdisk, in memory)";
  }
  // Mount points: the VFS needs none in the file system below, but ls
  // should show them.
  uint64_t ino;
  if (root->lookup(root->root(), "dev", 3, &ino) != 0)
    root->mkdir(root->root(), "dev", 3, 0755, &ino);
  if (root->lookup(root->root(), "tmp", 3, &ino) != 0) {
    root->mkdir(root->root(), "tmp", 3, 01777, &ino);
  }
  if (ramdisk != nullptr && root->lookup(root->root(), "ramdisk", 7, &ino) != 0) {
    root->mkdir(root->root(), "ramdisk", 7, 0755, &ino);
  }
  g_ns.mount("/", root);
  g_ns.mount("/dev", g_devfs);
  g_ns.mount("/tmp", tmp);
  if (ramdisk != nullptr) g_ns.mount("/ramdisk", ramdisk);
  if (!register_with_router()) {
    printf("vfs: cannot register with the router\n");
    return 1;
  }
  printf("vfs: / %s, /dev devfs, /tmp tmpfs%s\n", root_kind,
         ramdisk != nullptr ? ", /ramdisk the boot module (read-only)" : "");
  static char payload[kMaxPayload + 1];
  for (;;) {
    uint64_t deadline = next_poll_deadline();
    static mica_wait_item items[64];
    size_t item_count = poll_wait_items(items, 64);
    mica_message m = {};
    m.buffer = payload;
    m.buffer_size = kMaxPayload;
    if (deadline != ~uint64_t{0} || item_count > 1) {
      uint64_t now = now_ns();
      uint64_t timeout = deadline > now ? deadline - now : 0;
      int r = mica_wait_many(items, item_count, deadline != ~uint64_t{0} ? &timeout : nullptr);
      if (r == -ETIMEDOUT || (r > 0 && (items[0].observed & MICA_SIGNAL_READABLE) == 0)) {
        poll_all();  // a deadline passed, or a polled socket changed
        continue;
      }
      if (mica_ipc_receive(g_endpoint, &m, r < 0 && r != -ETIMEDOUT ? 0 : MICA_NONBLOCK) != 0) {
        continue;  // (a wait that failed outright waits for the next message)
      }
    } else if (mica_ipc_receive(g_endpoint, &m, 0) != 0) {
      continue;
    }
    payload[m.data_size < kMaxPayload ? m.data_size : kMaxPayload] = 0;
    serve(m, payload);
  }
}
