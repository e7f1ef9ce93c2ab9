// ubench: user-space microbenchmarks of the kernel's user-facing paths,
// sel4bench-style: each measured operation is warmed up, then timed in 16
// runs of 16 iterations with the cycle counter (TSC; PMCCNTR on AArch64),
// the counter's own overhead subtracted. Under QEMU with
// -icount shift=0,sleep=off the counter advances once per guest
// instruction, so the numbers are instructions. Prints
// "bench: NAME min N median N" lines (as the kernel's kbench does) and
// "ubench: done"; tools/bench tabulates them.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <mica/calls.h>
#include <mica/elf_loader.h>
#include <mica/posix.h>
#include <mica/ramdisk.h>
#include <mica/startup.h>
#include <mica/sys.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

constexpr int kRuns = 16;
constexpr int kIterations = 16;

inline uint64_t cycles() {
#if defined(__x86_64__) || defined(__i386__)
  uint32_t low, high;
  asm volatile("rdtsc" : "=a"(low), "=d"(high));
  return (uint64_t{high} << 32) | low;
#elif defined(__aarch64__)
  uint64_t value;
  asm volatile("isb; mrs %0, pmccntr_el0" : "=r"(value));
  return value;
#endif
}

uint64_t g_overhead = 0;

void sort(uint64_t* v, int n) {
  for (int i = 1; i < n; ++i) {
    for (int j = i; j > 0 && v[j - 1] > v[j]; --j) {
      uint64_t t = v[j];
      v[j] = v[j - 1];
      v[j - 1] = t;
    }
  }
}

void report(const char* name, uint64_t* per_run) {
  sort(per_run, kRuns);
  printf("bench: %s min %llu median %llu\n", name, (unsigned long long)per_run[0],
         (unsigned long long)per_run[kRuns / 2]);
}

// Times op() kIterations times per run; reports per-operation cycles.
template <typename Op>
void measure(const char* name, Op op) {
  for (int i = 0; i < kIterations; ++i) op();  // warm
  uint64_t per_run[kRuns];
  for (int r = 0; r < kRuns; ++r) {
    uint64_t start = cycles();
    for (int i = 0; i < kIterations; ++i) op();
    uint64_t elapsed = cycles() - start;
    elapsed = elapsed > g_overhead ? elapsed - g_overhead : 0;
    per_run[r] = elapsed / kIterations;
  }
  report(name, per_run);
}

void measure_overhead() {
  uint64_t best = ~uint64_t{0};
  for (int i = 0; i < 64; ++i) {
    uint64_t a = cycles();
    uint64_t b = cycles();
    if (b - a < best) best = b - a;
  }
  g_overhead = best;
  printf("bench: user counter overhead %llu\n", (unsigned long long)best);
}

// ---- The server side: this program in "server" mode ----

int server(mica_handle_t endpoint, mica_handle_t socket) {
  // Calls: reply with the counter read on arrival (one-way time).
  // Socket: echo one byte.
  for (;;) {
    intptr_t label = mica_syscall3(MICA_SYS_IPC_RECEIVE, endpoint, 0, 0);
    uint64_t arrived = cycles();
    if (label == 2) {  // socket ping-pong: n round trips
      uint8_t byte;
      for (;;) {
        if (mica_syscall4(MICA_SYS_SOCKET_RECEIVE, socket, (uintptr_t)&byte, 1, 0) != 1) break;
        if (byte == 0xff) break;
        mica_syscall6(MICA_SYS_SOCKET_SEND, socket, (uintptr_t)&byte, 1, 0, 0, 0);
      }
      continue;
    }
    mica_syscall4(MICA_SYS_IPC_REPLY, (uintptr_t)arrived, (uintptr_t)(arrived >> 32), 0, 0);
  }
}

// The same calls answered with MICA_SYS_IPC_REPLY_RECEIVE: one system
// call per message, and the CPU goes straight back to the caller.
int server_reply_receive(mica_handle_t endpoint) {
  uintptr_t words[4] = {};
  intptr_t label = mica_syscall3(MICA_SYS_IPC_RECEIVE, endpoint, 0, 0);
  for (;;) {
    uint64_t arrived = cycles();
    if (label < 0) return 1;
    words[0] = (uintptr_t)arrived;
    words[1] = (uintptr_t)(arrived >> 32);
    label = mica_ipc_reply_receive(endpoint, words);
  }
}

// ---- Helpers ----

const void* g_elf = nullptr;
size_t g_elf_size = 0;

bool find_self() {
  mica_handle_t ramdisk = mica_startup_handle(MICA_STARTUP_RAMDISK);
  mica_handle_info info;
  uintptr_t address;
  if (ramdisk == MICA_HANDLE_INVALID || mica_handle_info(ramdisk, &info) != 0 ||
      mica_memory_map(MICA_HANDLE_SELF, ramdisk, 0x50000000, info.size, MICA_PROT_READ, 0,
                      &address) != 0) {
    return false;
  }
  mica_ramdisk_entry entry;
  if (mica_ramdisk_find((void*)address, info.size, "bin/ubench", &entry) != 0) return false;
  g_elf = entry.data;
  g_elf_size = entry.size;
  return true;
}

mica_handle_t spawn(const char* mode, const mica_handle_t* handles, const uint32_t* tags,
                    size_t count) {
  char* argv[] = {(char*)"ubench", (char*)mode, nullptr};
  char* envp[] = {nullptr};
  mica_handle_t process = MICA_HANDLE_INVALID;
  mica_elf_error error;
  int r = mica_spawn(g_elf, g_elf_size, argv, envp, handles, tags, count, &process, &error);
  return r == 0 ? process : MICA_HANDLE_INVALID;
}

struct Pair {
  mica_handle_t endpoint;
  mica_handle_t process;
  mica_handle_t socket;
};

bool start_server(Pair& pair, const char* mode = "server") {
  mica_handle_t sockets[2];
  if (mica_endpoint_create(0, &pair.endpoint) != 0 ||
      mica_syscall2(MICA_SYS_SOCKET_PAIR, MICA_SOCK_STREAM, (uintptr_t)sockets) != 0) {
    return false;
  }
  pair.socket = sockets[0];
  mica_handle_t passed;
  if (mica_handle_duplicate(pair.endpoint, MICA_RIGHT_READ | MICA_RIGHT_WRITE | MICA_RIGHT_TRANSFER,
                            &passed) != 0) {
    return false;
  }
  mica_handle_t handles[2] = {passed, sockets[1]};
  uint32_t tags[2] = {MICA_STARTUP_USER, MICA_STARTUP_USER + 1};
  pair.process = spawn(mode, handles, tags, 2);
  return pair.process != MICA_HANDLE_INVALID;
}

void stop_server(Pair& pair) {
  mica_process_kill(pair.process, 0);
  mica_exit_info exit;
  mica_process_wait(pair.process, &exit, 0);
  mica_handle_close(pair.process);
  mica_handle_close(pair.endpoint);
  mica_handle_close(pair.socket);
}

// One-way call and reply times between two processes, and the round trip.
void measure_ipc(Pair& pair, const char* suffix) {
  uint64_t call[kRuns], back[kRuns], round[kRuns];
  for (int i = 0; i < kIterations; ++i) mica_syscall5(MICA_SYS_IPC_CALL, pair.endpoint, 1, 0, 0, 0);
  for (int r = 0; r < kRuns; ++r) {
    uint64_t call_total = 0, back_total = 0, round_total = 0;
    for (int i = 0; i < kIterations; ++i) {
      uint64_t start = cycles();
      uintptr_t words[4] = {1, 0, 0, 0};
      mica_ipc_call(pair.endpoint, words);
      uint64_t end = cycles();
      uint64_t arrived = words[0] | (sizeof(uintptr_t) == 4 ? uint64_t{words[1]} << 32 : 0);
      call_total += arrived - start;
      back_total += end - arrived;
      round_total += end - start;
    }
    call[r] = call_total / kIterations;
    back[r] = back_total / kIterations;
    round[r] = (round_total - g_overhead) / kIterations;
  }
  char name[64];
  snprintf(name, sizeof(name), "user.ipc_call_one_way%s", suffix);
  report(name, call);
  snprintf(name, sizeof(name), "user.ipc_reply_one_way%s", suffix);
  report(name, back);
  snprintf(name, sizeof(name), "user.ipc_round_trip%s", suffix);
  report(name, round);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && strcmp(argv[1], "server-reply-receive") == 0) {
    return server_reply_receive(mica_startup_handle(MICA_STARTUP_USER));
  }
  if (argc >= 2 && strcmp(argv[1], "server") == 0) {
    return server(mica_startup_handle(MICA_STARTUP_USER),
                  mica_startup_handle(MICA_STARTUP_USER + 1));
  }
  if (argc >= 2 && strcmp(argv[1], "sleeper") == 0) {
    for (;;) mica_sleep(~0ull >> 2);
  }
  if (!find_self()) {
    printf("ubench: bin/ubench is not in the ramdisk\n");
    return 2;
  }
  measure_overhead();
  measure("user.null_syscall", [] { mica_syscall0(MICA_SYS_NULL); });
  measure("user.get_id", [] { mica_syscall1(MICA_SYS_GET_ID, MICA_HANDLE_SELF); });

  // Asynchronous send into a queue, and receive from it.
  mica_handle_t queue;
  mica_endpoint_create(1024, &queue);
  mica_message message = {};
  measure("user.ipc_send_async",
          [&] { mica_syscall3(MICA_SYS_IPC_SEND, queue, (uintptr_t)&message, MICA_NONBLOCK); });
  measure("user.ipc_receive_async",
          [&] { mica_syscall3(MICA_SYS_IPC_RECEIVE, queue, 0, MICA_NONBLOCK); });
  mica_handle_close(queue);

  // The POSIX file path through libc, the IPC to the VFS and its memfs or
  // ext2: open, read 64 bytes, close; and one read alone.
  {
    char buffer[64];
    measure("user.vfs_open_read_close", [&] {
      int fd = open("/etc/motd", O_RDONLY);
      (void)read(fd, buffer, sizeof(buffer));
      close(fd);
    });
    int fd = open("/etc/motd", O_RDONLY);
    measure("user.vfs_lseek_read_64", [&] {
      lseek(fd, 0, SEEK_SET);
      (void)read(fd, buffer, sizeof(buffer));
    });
    close(fd);
  }

  Pair pair;
  if (!start_server(pair)) {
    printf("ubench: cannot start the server\n");
    return 1;
  }
  uintptr_t check[4] = {1, 0, 0, 0};
  if (mica_ipc_call(pair.endpoint, check) != 0) {
    printf("ubench: the call to the server failed\n");
    return 1;
  }
  measure_ipc(pair, "");
  {
    Pair rr;
    uintptr_t words[4] = {1, 0, 0, 0};
    if (!start_server(rr, "server-reply-receive") || mica_ipc_call(rr.endpoint, words) != 0) {
      printf("ubench: the reply-receive server failed\n");
      return 1;
    }
    measure_ipc(rr, "_reply_receive");
    stop_server(rr);
  }

  // Unix socket: 1-byte round trips to the server process.
  {
    // The server's echo loop starts on an asynchronous message labelled 2.
    uint64_t per_run[kRuns];
    mica_message start = {};
    start.label = 2;
    mica_syscall3(MICA_SYS_IPC_SEND, pair.endpoint, (uintptr_t)&start, 0);
    uint8_t byte = 1;
    // The echo must really work, or the numbers below time error paths.
    intptr_t sent = mica_syscall6(MICA_SYS_SOCKET_SEND, pair.socket, (uintptr_t)&byte, 1, 0, 0, 0);
    intptr_t got = mica_syscall4(MICA_SYS_SOCKET_RECEIVE, pair.socket, (uintptr_t)&byte, 1, 0);
    if (sent != 1 || got != 1 || byte != 1) {
      printf("ubench: the socket echo failed (send %d, receive %d)\n", (int)sent, (int)got);
      return 1;
    }
    for (int i = 0; i < kIterations; ++i) {
      mica_syscall6(MICA_SYS_SOCKET_SEND, pair.socket, (uintptr_t)&byte, 1, 0, 0, 0);
      mica_syscall4(MICA_SYS_SOCKET_RECEIVE, pair.socket, (uintptr_t)&byte, 1, 0);
    }
    for (int r = 0; r < kRuns; ++r) {
      uint64_t t0 = cycles();
      for (int i = 0; i < kIterations; ++i) {
        mica_syscall6(MICA_SYS_SOCKET_SEND, pair.socket, (uintptr_t)&byte, 1, 0, 0, 0);
        mica_syscall4(MICA_SYS_SOCKET_RECEIVE, pair.socket, (uintptr_t)&byte, 1, 0);
      }
      per_run[r] = (cycles() - t0 - g_overhead) / kIterations;
    }
    report("user.unix_socket_round_trip_1byte", per_run);
    byte = 0xff;
    mica_syscall6(MICA_SYS_SOCKET_SEND, pair.socket, (uintptr_t)&byte, 1, 0, 0, 0);
  }

  // The same round trips through POSIX send() and recv() on a descriptor
  // for this side's socket (libc's fd cache, then the kernel; the echo
  // side stays on the raw calls: it has no VFS).
  {
    mica_handle_t copy;
    int fd = -1;
    if (mica_handle_duplicate(
            pair.socket,
            MICA_RIGHT_DUPLICATE | MICA_RIGHT_TRANSFER | MICA_RIGHT_READ | MICA_RIGHT_WRITE,
            &copy) == 0) {
      fd = mica_socket_fd(copy, 0);
    }
    mica_message start = {};
    start.label = 2;
    mica_syscall3(MICA_SYS_IPC_SEND, pair.endpoint, (uintptr_t)&start, 0);
    uint8_t byte = 1;
    if (fd < 0 || send(fd, &byte, 1, 0) != 1 || recv(fd, &byte, 1, 0) != 1 || byte != 1) {
      printf("ubench: the POSIX socket echo failed (fd %d)\n", fd);
      return 1;
    }
    measure("user.posix_socket_round_trip_1byte", [&] {
      (void)send(fd, &byte, 1, 0);
      (void)recv(fd, &byte, 1, 0);
    });
    byte = 0xff;
    (void)send(fd, &byte, 1, 0);
    close(fd);
  }

  // The same call with many processes alive.
  int want = argc >= 2 ? atoi(argv[1]) : 1000;
  static mica_handle_t sleepers[4096];
  int started = 0;
  while (started < want - 2 && started < 4096) {
    mica_handle_t p = spawn("sleeper", nullptr, nullptr, 0);
    if (p == MICA_HANDLE_INVALID) break;
    sleepers[started++] = p;
  }
  printf("bench: processes alive %d\n", started + 2);
  char suffix[32];
  snprintf(suffix, sizeof(suffix), "_%dprocs", started + 2);
  measure_ipc(pair, suffix);
  for (int i = 0; i < started; ++i) {
    mica_process_kill(sleepers[i], 0);
    mica_handle_close(sleepers[i]);
  }
  stop_server(pair);
  printf("ubench: done\n");
  return 0;
}
