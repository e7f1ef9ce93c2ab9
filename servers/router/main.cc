// The router: the first user process (init). The kernel starts it from the
// flat image at the front of the ramdisk with handles to itself, the root
// hardware resource and the ramdisk (a tar archive).
//
// It keeps the service registry (<mica/protocol.h>: servers register an
// endpoint under a name, clients look names up and then talk to the server
// directly), starts the product's servers from the manifest GN wrote into
// the ramdisk (etc/servers: one server a line, in start order; manifest.h),
// each with a hardware resource narrowed to exactly the hardware its line
// names (none if it names none; the router keeps the root one, which it
// needs to stop the machine), waiting for each to register before the
// next, supervises them (a server that dies is
// restarted after a back-off, and its name is free until it registers
// again), keeps a handle to every process started through it or adopted by
// its creator (ps, kill, getppid), and finally starts what the command line
// asks for: each `run=NAME[,ARG...]` in turn (tests; the router's exit code
// is the last one's), or else the shell on the console. When the shell
// exits, the router powers the machine off.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <mica/calls.h>
#include <mica/elf_loader.h>
#include <mica/protocol.h>
#include <mica/ramdisk.h>
#include <mica/startup.h>

#include "manifest.h"

namespace {

constexpr size_t kMaxServices = 16;
constexpr size_t kMaxProcesses = 256;
constexpr size_t kMaxArgs = router::kMaxArgs;
constexpr uint64_t kMs = 1000000;
constexpr uint64_t kRegisterTimeout = 10000 * kMs;
constexpr uint64_t kSyncTimeout = 30000 * kMs;  // writing back a full cache
// A server that ran this long before it died starts the back-off afresh.
constexpr uint64_t kStableNs = 30000 * kMs;

struct Ramdisk {
  const void* base = nullptr;
  size_t size = 0;
};

// A server of the manifest.
struct Server {
  char line[512];                 // as in etc/servers, split in place into manifest.argv
  router::ManifestLine manifest;  // its argv, whether it gets the ramdisk, its hardware
  uint32_t pid = 0;               // 0: not running
  mica_handle_t process = MICA_HANDLE_INVALID;
  uint32_t restarts = 0;    // in all
  uint32_t in_a_row = 0;    // restarts since it last ran kStableNs
  uint64_t started_at = 0;  // when it was started last
  uint64_t restart_at = 0;  // when to start it again (0: no restart pending)
  // Started, not registered yet: until when the servers after it wait.
  uint64_t register_by = 0;
  // Whether the VFS is told of it (MICA_VFS_WATCH): only if the VFS was
  // there at its first start. The servers started before the VFS (the disk
  // driver, the ext2 server) are not its clients.
  bool descriptors = false;
  bool started = false;
};

// A registered service.
struct Service {
  char name[MICA_SERVICE_NAME_MAX];
  mica_handle_t endpoint = MICA_HANDLE_INVALID;
  uint32_t pid = 0;
};

// A process the router knows: started by it, or adopted.
struct Process {
  uint32_t pid = 0;
  uint32_t parent = 0;
  mica_handle_t handle = MICA_HANDLE_INVALID;
  char name[32];
};

Ramdisk g_ramdisk;
mica_handle_t g_endpoint = MICA_HANDLE_INVALID;
Server g_servers[kMaxServices];
size_t g_server_count = 0;
Service g_services[kMaxServices];
Process g_processes[kMaxProcesses];
bool g_shutting_down = false;
// What the VFS answered to MICA_VFS_SHUTDOWN (kSyncWaiting: nothing yet).
constexpr int kSyncWaiting = 1;
int g_synced = kSyncWaiting;

uint64_t now_ns() {
  uint64_t t = 0;
  mica_clock_get(&t);
  return t;
}

uint32_t pid_of(mica_handle_t process) {
  mica_handle_info info;
  return mica_handle_info(process, &info) == 0 ? static_cast<uint32_t>(info.size) : 0;
}

// ---- The ramdisk ----

bool map_ramdisk() {
  mica_handle_t handle = mica_startup_handle(MICA_STARTUP_RAMDISK);
  if (handle == MICA_HANDLE_INVALID) return false;
  mica_handle_info info;
  if (mica_handle_info(handle, &info) != 0 || info.type != MICA_OBJECT_MEMORY) return false;
  uintptr_t address;
  int r =
      mica_memory_map(MICA_HANDLE_SELF, handle, 0x40000000, info.size, MICA_PROT_READ, 0, &address);
  if (r != 0) {
    printf("router: cannot map the ramdisk: %s\n", strerror(-r));
    return false;
  }
  g_ramdisk.base = reinterpret_cast<const void*>(address);
  g_ramdisk.size = info.size;
  return true;
}

// ---- Processes ----

Process* find_process(uint32_t pid) {
  for (Process& p : g_processes) {
    if (p.pid == pid && pid != 0) return &p;
  }
  return nullptr;
}

// Records `handle` (the router's own, READ and MANAGE) and watches it.
bool track(mica_handle_t handle, uint32_t parent, const char* name) {
  uint32_t pid = pid_of(handle);
  for (Process& p : g_processes) {
    if (p.pid != 0) continue;
    if (mica_process_watch(handle, g_endpoint, pid) != 0) return false;
    p.pid = pid;
    p.parent = parent;
    p.handle = handle;
    strlcpy(p.name, name, sizeof(p.name));
    return true;
  }
  return false;
}

void forget(uint32_t pid) {
  Process* p = find_process(pid);
  if (p == nullptr) return;
  mica_handle_close(p->handle);
  *p = Process{};
}

Service* find_service(const char* name);
struct Server* server_of(uint32_t pid);

// Tells the VFS, if there is one, of the new process `pid`, so that it
// closes the process's descriptors when it ends. A message, not a call
// (<mica/protocol.h>, MICA_VFS_SHUTDOWN): the process has the console as
// 0, 1 and 2 whether the VFS has read it yet or not.
void tell_vfs_of(mica_handle_t process, uint32_t pid) {
  Service* vfs = find_service(MICA_SERVICE_VFS);
  if (vfs == nullptr) return;
  mica_message m = {};
  m.label = MICA_VFS_WATCH;
  m.words[0] = pid;
  if (mica_handle_duplicate(process, MICA_RIGHT_READ | MICA_RIGHT_TRANSFER, &m.handle) != 0) return;
  int r = mica_ipc_send(vfs->endpoint, &m, MICA_NONBLOCK);
  if (r != 0) {
    mica_handle_close(m.handle);
    printf("router: cannot tell the VFS of pid %u: %s\n", pid & 0xffff, strerror(-r));
  }
}

// The hardware a process is started with: none, only the given ranges (a
// resource narrowed from the router's root one), or the root one itself.
struct Hardware {
  const mica_resource_range* ranges = nullptr;
  size_t count = 0;
  bool root = false;
  bool any() const { return root || count != 0; }
};

// A resource handle for `hardware` to give away, or INVALID (printed).
mica_handle_t grant(const char* name, const Hardware& hardware) {
  mica_handle_t root = mica_startup_handle(MICA_STARTUP_RESOURCE);
  mica_handle_t handle = MICA_HANDLE_INVALID;
  int r = hardware.root ? mica_handle_duplicate(root, MICA_RIGHTS_ALL, &handle)
                        : mica_resource_create(root, hardware.ranges, hardware.count, &handle);
  if (r != 0) {
    printf("router: cannot grant %s its hardware: %s\n", name, strerror(-r));
    return MICA_HANDLE_INVALID;
  }
  return handle;
}

// Starts /bin/NAME from the ramdisk with argv and the handles the flags
// allow. Returns the process handle (the router keeps it) or INVALID.
mica_handle_t start(char* const argv[], const Hardware& hardware, bool ramdisk, bool descriptors) {
  char path[96];
  snprintf(path, sizeof(path), "bin/%s", argv[0]);
  mica_ramdisk_entry entry;
  int found = mica_ramdisk_find(g_ramdisk.base, g_ramdisk.size, path, &entry);
  if (found != 0) {
    printf("router: /%s: %s\n", path, strerror(-found));
    return MICA_HANDLE_INVALID;
  }
  mica_handle_t handles[3];
  uint32_t tags[3];
  size_t count = 0;
  bool ok = mica_handle_duplicate(g_endpoint,
                                  MICA_RIGHT_WRITE | MICA_RIGHT_TRANSFER | MICA_RIGHT_DUPLICATE,
                                  &handles[count]) == 0;
  tags[count++] = MICA_STARTUP_ROUTER;
  if (ok && ramdisk) {
    ok = mica_handle_duplicate(mica_startup_handle(MICA_STARTUP_RAMDISK),
                               MICA_RIGHT_READ | MICA_RIGHT_MAP | MICA_RIGHT_TRANSFER,
                               &handles[count]) == 0;
    tags[count++] = MICA_STARTUP_RAMDISK;
  }
  if (!ok) {
    printf("router: cannot duplicate the start-up handles for %s\n", argv[0]);
    for (size_t i = 0; i < count; ++i) mica_handle_close(handles[i]);
    return MICA_HANDLE_INVALID;
  }
  if (hardware.any()) {
    handles[count] = grant(argv[0], hardware);
    if (handles[count] == MICA_HANDLE_INVALID) {
      for (size_t i = 0; i < count; ++i) mica_handle_close(handles[i]);
      return MICA_HANDLE_INVALID;
    }
    tags[count++] = MICA_STARTUP_RESOURCE;
  }
  static char ready_env[] = "MICA_READY=1";
  static char path_env[] = "PATH=/bin";
  static char home_env[] = "HOME=/";
  char* envp[] = {path_env, home_env, nullptr, nullptr};
  if (!hardware.any() && !ramdisk && strcmp(argv[0], "sh") == 0) envp[2] = ready_env;
  struct Prepare {
    bool descriptors;
    static int run(void* context, mica_handle_t process) {
      if (static_cast<Prepare*>(context)->descriptors) tell_vfs_of(process, pid_of(process));
      return 0;
    }
  } prepare{descriptors};
  mica_handle_t process;
  mica_elf_error elf_error;
  int r = mica_spawn_prepared(entry.data, entry.size, argv, envp, handles, tags, count,
                              Prepare::run, &prepare, &process, &elf_error);
  if (r != 0) {
    printf("router: cannot start /%s: %s (%s)\n", path, strerror(-r),
           mica_elf_error_name(elf_error));
    return MICA_HANDLE_INVALID;
  }
  mica_handle_t tracked;
  if (mica_handle_duplicate(process, MICA_RIGHT_READ | MICA_RIGHT_MANAGE, &tracked) == 0 &&
      !track(tracked, 1, argv[0])) {
    mica_handle_close(tracked);
    printf("router: process table full; %s runs untracked\n", argv[0]);
  }
  return process;
}

// ---- The registry ----

Service* find_service(const char* name) {
  for (Service& s : g_services) {
    if (s.pid != 0 && strcmp(s.name, name) == 0) return &s;
  }
  return nullptr;
}

intptr_t register_service(const char* name, mica_handle_t endpoint, uint32_t pid) {
  if (endpoint == MICA_HANDLE_INVALID) return -EINVAL;
  if (name[0] == 0 || strlen(name) >= MICA_SERVICE_NAME_MAX) {
    mica_handle_close(endpoint);
    return -EINVAL;
  }
  if (find_service(name) != nullptr) {
    mica_handle_close(endpoint);
    return -EEXIST;
  }
  for (Service& s : g_services) {
    if (s.pid != 0) continue;
    strlcpy(s.name, name, sizeof(s.name));
    s.endpoint = endpoint;
    s.pid = pid;
    if (Server* server = server_of(pid)) server->register_by = 0;
    printf("router: %s registered (pid %u)\n", name, pid & 0xffff);
    return 0;
  }
  mica_handle_close(endpoint);
  return -ENOSPC;
}

void drop_services_of(uint32_t pid) {
  for (Service& s : g_services) {
    if (s.pid != pid) continue;
    mica_handle_close(s.endpoint);
    s = Service{};
  }
}

// ---- Requests ----

void reply(intptr_t result, const void* data = nullptr, size_t size = 0,
           mica_handle_t handle = MICA_HANDLE_INVALID) {
  mica_message r = {};
  r.words[0] = static_cast<uintptr_t>(result);
  r.data = data;
  r.data_size = size;
  r.handle = handle;
  mica_ipc_reply_message(&r);
}

void on_exit(const mica_message& m);
template <typename Done>
bool serve_until(Done done, uint64_t deadline);

// Writes the file systems back, stops the servers and the machine.
[[noreturn]] void shut_down(bool power_off, uint32_t by) {
  g_shutting_down = true;
  printf("router: %s requested by pid %u\n", power_off ? "power-off" : "reboot", by & 0xffff);
  if (Service* vfs = find_service(MICA_SERVICE_VFS)) {
    // Asked, not called: the router goes on answering lookups (the VFS's
    // among them) until the VFS says it is done.
    mica_message m = {};
    m.label = MICA_VFS_SHUTDOWN;
    uint32_t vfs_pid = vfs->pid;
    int r = mica_ipc_send(vfs->endpoint, &m, 0);
    if (r == 0) {
      g_synced = kSyncWaiting;
      auto vfs_ended = [&] {
        Service* now = find_service(MICA_SERVICE_VFS);
        return now == nullptr || now->pid != vfs_pid;
      };
      bool done = serve_until([&] { return g_synced != kSyncWaiting || vfs_ended(); },
                              now_ns() + kSyncTimeout);
      r = !done ? -ETIMEDOUT : g_synced == kSyncWaiting ? -ECONNRESET : g_synced;
    }
    if (r != 0) printf("router: the file systems did not sync: %s\n", strerror(-r));
  }
  for (size_t i = g_server_count; i-- > 0;) {
    if (g_servers[i].pid != 0) mica_process_kill(g_servers[i].process, 0);
  }
  mica_system_stop(mica_startup_handle(MICA_STARTUP_RESOURCE),
                   power_off ? MICA_STOP_POWER_OFF : MICA_STOP_REBOOT);
  mica_process_exit(0);  // no resource: init's end powers off
}

// Handles one message (call or notice). `payload` holds what came with it.
void handle(mica_message& m, char* payload) {
  if (m.label == MICA_LABEL_PROCESS_EXIT && m.sender == 0) {
    on_exit(m);
    return;
  }
  size_t n = m.data_size;
  payload[n < 4096 ? n : 4095] = 0;
  switch (m.label) {
    case MICA_ROUTER_REGISTER: {
      // words[1]: the router's own pid (its messages' sender).
      mica_message r = {};
      r.words[0] = static_cast<uintptr_t>(register_service(payload, m.handle, m.sender));
      r.words[1] = mica_get_id(MICA_HANDLE_SELF);
      mica_ipc_reply_message(&r);
      return;
    }
    case MICA_ROUTER_LOOKUP: {
      Service* s = find_service(payload);
      mica_handle_t copy;
      if (s == nullptr) {
        reply(-ENOENT);
      } else if (mica_handle_duplicate(
                     s->endpoint, MICA_RIGHT_WRITE | MICA_RIGHT_TRANSFER | MICA_RIGHT_DUPLICATE,
                     &copy) != 0) {
        reply(-EIO);
      } else {
        reply(0, nullptr, 0, copy);
      }
      return;
    }
    case MICA_ROUTER_ADOPT: {
      mica_handle_info info;
      if (m.handle == MICA_HANDLE_INVALID || mica_handle_info(m.handle, &info) != 0 ||
          info.type != MICA_OBJECT_PROCESS) {
        if (m.handle != MICA_HANDLE_INVALID) mica_handle_close(m.handle);
        reply(-EINVAL);
        return;
      }
      if (!track(m.handle, m.sender, payload)) {
        mica_handle_close(m.handle);
        reply(-ENOSPC);
        return;
      }
      reply(0);
      return;
    }
    case MICA_ROUTER_KILL: {
      Process* p = find_process(static_cast<uint32_t>(m.words[0]));
      int signal = static_cast<int>(m.words[1]);
      if (p == nullptr || p->pid == 1) {
        reply(p == nullptr ? -ESRCH : -EPERM);
      } else {
        reply(signal == 0 ? 0 : mica_process_kill(p->handle, 128 + signal));
      }
      return;
    }
    case MICA_ROUTER_PARENT: {
      Process* p = find_process(m.sender);
      reply(p != nullptr ? p->parent : 0);
      return;
    }
    case MICA_ROUTER_PROCESSES:
    case MICA_ROUTER_SERVICES: {
      static char text[8192];
      size_t used = 0;
      if (m.label == MICA_ROUTER_PROCESSES) {
        auto line = [&](mica_handle_t handle, uint32_t parent, const char* name) {
          mica_process_info info = {};
          if (mica_process_get_info(handle, &info) != 0 || used >= sizeof(text) - 96) return;
          const char* state = info.state != MICA_PROCESS_LIVE ? "exiting"
                              : info.runnable > 0             ? "running"
                                                              : "waiting";
          used += snprintf(text + used, sizeof(text) - used, "%u %u %s %u %llu %llu %s\n", info.pid,
                           parent, state, info.threads,
                           static_cast<unsigned long long>(info.private_bytes / 1024),
                           static_cast<unsigned long long>(info.cpu_ns / 1000000), name);
        };
        line(MICA_HANDLE_SELF, 0, "router");
        for (const Process& p : g_processes) {
          if (p.pid != 0) line(p.handle, p.parent, p.name);
        }
      } else {
        for (size_t i = 0; i < g_server_count; ++i) {
          const Server& s = g_servers[i];
          used += snprintf(text + used, sizeof(text) - used, "%s %u %u %s\n", s.manifest.argv[0],
                           s.pid, s.restarts, s.pid != 0 ? "running" : "restarting");
        }
      }
      reply(static_cast<intptr_t>(used), text, used);
      return;
    }
    case MICA_ROUTER_SHUTDOWN:
      reply(0);
      if (!g_shutting_down) shut_down(m.words[0] != 0, m.sender);
      return;
    case MICA_ROUTER_SYNCED: {
      Service* vfs = find_service(MICA_SERVICE_VFS);
      if (vfs != nullptr && vfs->pid == m.sender && g_synced == kSyncWaiting) {
        g_synced = static_cast<int>(m.words[0]);
      }
      if (m.handle != MICA_HANDLE_INVALID) mica_handle_close(m.handle);
      return;
    }
    default:
      if (m.handle != MICA_HANDLE_INVALID) mica_handle_close(m.handle);
      reply(-ENOSYS);
      return;
  }
}

// ---- Servers ----

bool start_server(Server& s) {
  if (!s.started) s.descriptors = find_service(MICA_SERVICE_VFS) != nullptr;
  s.started = true;
  Hardware hardware;
  hardware.ranges = s.manifest.hardware;
  hardware.count = s.manifest.hardware_count;
  char* const* argv = s.manifest.argv;
  // The boot framebuffer, if it asks for it and there is one: its memory
  // joins the ranges, and its geometry the arguments.
  mica_resource_range ranges[MICA_RESOURCE_MAX_RANGES];
  char* with_fb[router::kMaxArgs + 2];
  static char fb_arg[96];
  struct mica_system_info info = {};
  if (s.manifest.framebuffer && mica_system_info(&info) == 0 && info.framebuffer_address != 0 &&
      s.manifest.hardware_count < MICA_RESOURCE_MAX_RANGES) {
    memcpy(ranges, s.manifest.hardware, sizeof(ranges[0]) * s.manifest.hardware_count);
    mica_resource_range& fb = ranges[s.manifest.hardware_count];
    fb = {};
    fb.kind = MICA_RESOURCE_MMIO;
    fb.base = info.framebuffer_address & ~uint64_t{0xfff};
    uint64_t end =
        info.framebuffer_address + uint64_t{info.framebuffer_pitch} * info.framebuffer_height;
    fb.size = ((end + 0xfff) & ~uint64_t{0xfff}) - fb.base;
    hardware.ranges = ranges;
    hardware.count = s.manifest.hardware_count + 1;
    snprintf(fb_arg, sizeof(fb_arg), "fb=%#llx,%u,%u,%u,%u",
             static_cast<unsigned long long>(info.framebuffer_address), info.framebuffer_width,
             info.framebuffer_height, info.framebuffer_pitch, info.framebuffer_bpp);
    int n = 0;
    for (; n < s.manifest.argc; ++n) with_fb[n] = s.manifest.argv[n];
    with_fb[n++] = fb_arg;
    with_fb[n] = nullptr;
    argv = with_fb;
  }
  mica_handle_t process = start(argv, hardware, s.manifest.ramdisk, s.descriptors);
  if (process == MICA_HANDLE_INVALID) return false;
  s.process = process;
  s.pid = pid_of(process);
  s.restart_at = 0;
  s.started_at = now_ns();
  s.register_by = s.started_at + kRegisterTimeout;
  return true;
}

Server* server_of(uint32_t pid) {
  for (size_t i = 0; i < g_server_count; ++i) {
    if (g_servers[i].pid == pid && pid != 0) return &g_servers[i];
  }
  return nullptr;
}

void on_exit(const mica_message& m) {
  uint32_t pid = static_cast<uint32_t>(m.words[0]);
  drop_services_of(pid);
  Server* s = server_of(pid);
  forget(pid);
  if (s != nullptr) s->register_by = 0;
  if (s == nullptr || g_shutting_down) return;
  if (m.words[1] == MICA_EXIT_NORMAL && m.words[2] == 0) {
    // It finished (a driver without its device): nothing to restart.
    printf("router: %s (pid %u) finished\n", s->manifest.argv[0], pid & 0xffff);
    mica_handle_close(s->process);
    s->pid = 0;
    s->process = MICA_HANDLE_INVALID;
    return;
  }
  // Back-off: 100 ms, doubling with each restart in a row, at most 5 s.
  if (now_ns() - s->started_at >= kStableNs) s->in_a_row = 0;
  uint64_t delay = 100 * kMs << (s->in_a_row < 6 ? s->in_a_row : 6);
  if (delay > 5000 * kMs) delay = 5000 * kMs;
  const char* how = m.words[1] == MICA_EXIT_FAULT    ? "faulted"
                    : m.words[1] == MICA_EXIT_KILLED ? "was killed"
                                                     : "exited";
  printf("router: %s (pid %u) %s (%d); restarting in %llu ms\n", s->manifest.argv[0], pid & 0xffff,
         how, static_cast<int>(m.words[2]), static_cast<unsigned long long>(delay / kMs));
  s->pid = 0;
  mica_handle_close(s->process);
  s->process = MICA_HANDLE_INVALID;
  s->restarts++;
  s->in_a_row++;
  s->restart_at = now_ns() + delay;
}

// Receives and handles messages until `done()` or the deadline; restarts
// servers whose back-off ended meanwhile.
template <typename Done>
bool serve_until(Done done, uint64_t deadline) {
  static char payload[4096];
  while (!done()) {
    uint64_t now = now_ns();
    if (now >= deadline) return false;
    uint64_t wake = deadline;
    // Restarts in the manifest's order, as at boot: a server waits while
    // one before it is to be restarted or has not registered yet (the VFS
    // started with the ext2 server would find no disk).
    bool before = false;
    for (size_t i = 0; i < g_server_count; ++i) {
      Server& s = g_servers[i];
      if (s.register_by != 0 && s.register_by <= now) s.register_by = 0;  // gave up on it
      if (s.restart_at != 0 && !before) {
        if (s.restart_at <= now) {
          if (!start_server(s)) s.restart_at = now + 5000 * kMs;
        } else if (s.restart_at < wake) {
          wake = s.restart_at;
        }
      }
      if (s.register_by != 0 && s.register_by < wake) wake = s.register_by;
      before = before || s.restart_at != 0 || s.register_by != 0;
    }
    mica_wait_item item = {g_endpoint, MICA_SIGNAL_READABLE, 0};
    uint64_t timeout = wake > now ? wake - now : 0;
    int r = mica_wait_many(&item, 1, wake == ~0ull ? nullptr : &timeout);
    if (r == -ETIMEDOUT) continue;
    mica_message m = {};
    m.buffer = payload;
    m.buffer_size = sizeof(payload) - 1;
    if (mica_ipc_receive(g_endpoint, &m, MICA_NONBLOCK) != 0) continue;
    handle(m, payload);
  }
  return true;
}

// Reads etc/servers: "NAME [ramdisk] [HARDWARE...] [-- ARG...]" per line
// (manifest.h). A line with a bad field is reported and its server not
// started: it would get hardware nobody meant, or none it needs.
void read_manifest() {
  mica_ramdisk_entry entry;
  if (mica_ramdisk_find(g_ramdisk.base, g_ramdisk.size, "etc/servers", &entry) != 0) return;
  const char* text = static_cast<const char*>(entry.data);
  size_t at = 0;
  while (at < entry.size && g_server_count < kMaxServices) {
    size_t end = at;
    while (end < entry.size && text[end] != '\n') ++end;
    size_t length = end - at;
    Server& s = g_servers[g_server_count];
    if (length > 0 && text[at] != '#' && length < sizeof(s.line)) {
      memcpy(s.line, text + at, length);
      s.line[length] = 0;
      const char* bad = router::parse_manifest_line(s.line, &s.manifest);
      if (bad == nullptr) {
        ++g_server_count;
      } else {
        printf("router: etc/servers: bad field \"%s\" in the line of %s; not started\n", bad,
               s.manifest.argc > 0 ? s.manifest.argv[0] : "(no name)");
      }
    } else if (length >= sizeof(s.line)) {
      printf("router: etc/servers: line too long, skipped\n");
    }
    at = end + 1;
  }
}

// Starts the manifest's servers in order, each after the one before has
// registered (or failed).
void start_servers() {
  for (size_t i = 0; i < g_server_count; ++i) {
    Server& s = g_servers[i];
    size_t before = 0;
    for (const Service& service : g_services) before += service.pid != 0;
    if (!start_server(s)) continue;
    uint32_t pid = s.pid;
    bool registered = serve_until(
        [&] {
          size_t now = 0;
          for (const Service& service : g_services) now += service.pid != 0;
          return now > before || s.pid != pid;
        },
        now_ns() + kRegisterTimeout);
    if (!registered) printf("router: %s did not register in time\n", s.manifest.argv[0]);
  }
}

// Runs "NAME,ARG,..." to its end; returns its exit code (or 128 + the fault).
int run(char* spec) {
  char* argv[kMaxArgs + 1] = {};
  int argc = 0;
  for (char* p = spec; p != nullptr && argc < static_cast<int>(kMaxArgs);) {
    argv[argc++] = p;
    p = strchr(p, ',');
    if (p != nullptr) *p++ = 0;
  }
  // Test programs (usertest narrows it) get the ramdisk and the root
  // hardware resource, as they always had.
  Hardware root;
  root.root = true;
  mica_handle_t process = start(argv, root, true, true);
  if (process == MICA_HANDLE_INVALID) return 127;
  uint32_t pid = pid_of(process);
  mica_exit_info exit = {};
  bool ended = false;
  serve_until(
      [&] {
        if (!ended) {
          mica_wait_item item = {process, MICA_SIGNAL_TERMINATED, 0};
          uint64_t zero = 0;
          if (mica_wait_many(&item, 1, &zero) == 1) {
            mica_process_wait(process, &exit, 0);
            ended = true;
          }
        }
        return ended;
      },
      ~0ull);
  (void)pid;
  if (exit.how == MICA_EXIT_FAULT) {
    printf("router: %s (pid %u) died: fault %d at ip %#llx, address %#llx\n", argv[0],
           exit.pid & 0xffff, exit.code, (unsigned long long)exit.ip,
           (unsigned long long)exit.address);
    return 128 + exit.code;
  }
  printf("router: %s (pid %u) %s with code %d\n", argv[0], exit.pid & 0xffff,
         exit.how == MICA_EXIT_KILLED ? "was killed" : "exited", exit.code);
  return exit.code;
}

}  // namespace

int main(int argc, char** argv) {
  if (!map_ramdisk()) {
    printf("router: no ramdisk\n");
    return 1;
  }
  // Room in the queue for the exit notices of every process it watches.
  if (mica_endpoint_create(kMaxProcesses + kMaxServices + 16, &g_endpoint) != 0) {
    printf("router: no endpoint\n");
    return 1;
  }
  printf("router: started (pid %u), ramdisk %zu KiB\n",
         static_cast<unsigned>(mica_get_id(MICA_HANDLE_SELF) & 0xffff), g_ramdisk.size / 1024);
  read_manifest();
  start_servers();
  int code = 0;
  bool ran = false;
  for (int i = 1; i < argc; ++i) {
    if (strncmp(argv[i], "run=", 4) != 0) continue;
    if (!ran) printf("mica: ready\n");
    code = run(argv[i] + 4);
    ran = true;
  }
  if (ran) return code;
  // The shell on the console. When it exits, the system ends; one that is
  // killed or faults is started again (after a second, if it lived less).
  static char sh[] = "sh";
  char* shell[] = {sh, nullptr};
  for (;;) {
    uint64_t started = now_ns();
    mica_handle_t process = start(shell, Hardware{}, false, true);
    if (process == MICA_HANDLE_INVALID) {
      printf("mica: ready\n");
      printf("router: no shell; serving\n");
      serve_until([] { return false; }, ~0ull);
    }
    mica_exit_info exit = {};
    serve_until(
        [&] {
          mica_wait_item item = {process, MICA_SIGNAL_TERMINATED, 0};
          uint64_t zero = 0;
          return mica_wait_many(&item, 1, &zero) == 1 && mica_process_wait(process, &exit, 0) == 0;
        },
        ~0ull);
    mica_handle_close(process);
    if (exit.how == MICA_EXIT_NORMAL) {
      printf("router: the shell exited (%d); powering off\n", exit.code);
      return 0;
    }
    printf("router: the shell %s (%d); starting another\n",
           exit.how == MICA_EXIT_FAULT ? "faulted" : "was killed", exit.code);
    if (now_ns() - started < 1000 * kMs) serve_until([] { return false; }, now_ns() + 1000 * kMs);
  }
}
