// libc_check: the C library on the target, through the real system calls
// (what the host unit tests cannot reach): setjmp/longjmp, 64-bit printf
// (i586's division helpers), malloc on MICA_SYS_VM_ALLOCATE, errno, the
// clock and sleeping, anonymous mmap, stdio, atexit, files and pipes
// through the VFS, Unix domain sockets as descriptors (with a child
// process: this program again, with a mode argument). Prints one line per
// failure and ends with "libc_check: N passed, N failed"; exit status 0 only
// when nothing failed.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mica/calls.h>
#include <mica/spawn.h>
#include <mica/startup.h>
#include <poll.h>
#include <setjmp.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int passed;
static int failed;

#define CHECK(condition)                                                        \
  do {                                                                          \
    if (condition) {                                                            \
      passed++;                                                                 \
    } else {                                                                    \
      failed++;                                                                 \
      printf("libc_check: FAILED %s:%d: %s\n", __FILE__, __LINE__, #condition); \
    }                                                                           \
  } while (0)

static jmp_buf jump;
static volatile int jump_depth_reached;

static void dive(int depth) {
  volatile char frame[32];
  frame[0] = (char)depth;
  jump_depth_reached = depth;
  if (depth == 0) {
    longjmp(jump, 42);
  }
  dive(depth - 1);
  CHECK(frame[0] == depth);  // not reached
}

static void check_setjmp(void) {
  volatile int count = 0;
  int value = setjmp(jump);
  count++;
  if (value == 0) {
    dive(10);
  }
  CHECK(value == 42);
  CHECK(count == 2);
  CHECK(jump_depth_reached == 0);
  int again = setjmp(jump);
  if (again == 0) {
    longjmp(jump, 0);
  }
  CHECK(again == 1);
}

static void check_printf(void) {
  char buffer[64];
  snprintf(buffer, sizeof(buffer), "%llu", 18446744073709551615ull);
  CHECK(strcmp(buffer, "18446744073709551615") == 0);
  snprintf(buffer, sizeof(buffer), "%lld", -9223372036854775807ll - 1);
  CHECK(strcmp(buffer, "-9223372036854775808") == 0);
  snprintf(buffer, sizeof(buffer), "%#llx|%08.3d|%-4s|%c", 0x123456789abcull, 7, "ab", 'z');
  CHECK(strcmp(buffer, "0x123456789abc|     007|ab  |z") == 0);
  CHECK(snprintf(buffer, 4, "%s", "truncated") == 9 && strcmp(buffer, "tru") == 0);
}

static int compare_ints(const void* a, const void* b) {
  return *(const int*)a - *(const int*)b;
}

static void check_malloc(void) {
  enum { kCount = 300 };
  static unsigned char* blocks[kCount];
  for (int i = 0; i < kCount; i++) {
    size_t size = (size_t)(i * 97 % 9000 + 1);
    blocks[i] = malloc(size);
    CHECK(blocks[i] != NULL);
    if (blocks[i]) {
      memset(blocks[i], i & 0xff, size);
    }
  }
  int intact = 1;
  for (int i = 0; i < kCount; i++) {
    size_t size = (size_t)(i * 97 % 9000 + 1);
    if (blocks[i] && (blocks[i][0] != (i & 0xff) || blocks[i][size - 1] != (i & 0xff))) {
      intact = 0;
    }
    free(blocks[i]);
  }
  CHECK(intact);
  char* grown = malloc(10);
  strcpy(grown, "mica");
  grown = realloc(grown, 1 << 20);  // a megabyte: large pages from the kernel
  CHECK(grown != NULL && strcmp(grown, "mica") == 0);
  free(grown);
  void* huge = malloc((size_t)1 << 30 << (sizeof(size_t) == 8 ? 10 : 1));  // more than exists
  CHECK(huge == NULL && errno == ENOMEM);
  if (huge != NULL || errno != ENOMEM) {
    printf("libc_check: huge %p errno %d\n", huge, errno);
  }

  int numbers[100];
  for (int i = 0; i < 100; i++) numbers[i] = (i * 37) % 100;
  qsort(numbers, 100, sizeof(int), compare_ints);
  int sorted = 1;
  for (int i = 0; i < 100; i++) sorted &= numbers[i] == i;
  CHECK(sorted);
}

static void check_files(void);

static void check_system(void) {
  struct timespec before;
  struct timespec after;
  CHECK(clock_gettime(CLOCK_MONOTONIC, &before) == 0);
  struct timespec nap = {0, 20 * 1000 * 1000};
  CHECK(nanosleep(&nap, NULL) == 0);
  CHECK(clock_gettime(CLOCK_MONOTONIC, &after) == 0);
  int64_t elapsed =
      (after.tv_sec - before.tv_sec) * 1000000000ll + (after.tv_nsec - before.tv_nsec);
  CHECK(elapsed >= 20 * 1000 * 1000);
  CHECK(getpid() > 0);

  char* page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(page != MAP_FAILED);
  if (page != MAP_FAILED) {
    CHECK(page[0] == 0 && page[8191] == 0);
    page[100] = 1;
    CHECK(munmap(page, 8192) == 0);
  }
  check_files();
  CHECK(strtol("-0x7f", NULL, 16) == -127);
  CHECK(mica_startup() != NULL && mica_startup()->magic == MICA_STARTUP_MAGIC);
}

// The file calls, through the VFS: a file in /tmp written, read, seeked,
// renamed and removed; a directory listed; a pipe; errors.
static void check_files(void) {
  errno = 0;
  CHECK(open("/nonexistent", O_RDONLY) == -1 && errno == ENOENT);
  CHECK(open("/etc/motd/x", O_RDONLY) == -1 && errno == ENOTDIR);
  CHECK(mkdir("/tmp/libc_check", 0755) == 0);
  CHECK(mkdir("/tmp/libc_check", 0755) == -1 && errno == EEXIST);
  CHECK(chdir("/tmp/libc_check") == 0);
  char cwd[64];
  CHECK(getcwd(cwd, sizeof(cwd)) != NULL && strcmp(cwd, "/tmp/libc_check") == 0);
  CHECK(getcwd(cwd, 4) == NULL && errno == ERANGE);
  int fd = open("data", O_RDWR | O_CREAT | O_TRUNC, 0644);
  CHECK(fd >= 0);
  CHECK(write(fd, "hello, files", 12) == 12);
  CHECK(lseek(fd, 7, SEEK_SET) == 7);
  char buffer[16] = {0};
  CHECK(read(fd, buffer, sizeof(buffer)) == 5 && memcmp(buffer, "files", 5) == 0);
  CHECK(read(fd, buffer, sizeof(buffer)) == 0);
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && st.st_size == 12 && S_ISREG(st.st_mode));
  // ftruncate cuts, then grows with zeros; the offset stays where it was.
  CHECK(ftruncate(fd, 5) == 0 && fstat(fd, &st) == 0 && st.st_size == 5);
  CHECK(ftruncate(fd, 8) == 0 && lseek(fd, 0, SEEK_SET) == 0);
  CHECK(read(fd, buffer, sizeof(buffer)) == 8 && memcmp(buffer, "hello\0\0\0", 8) == 0);
  CHECK(ftruncate(fd, -1) == -1 && errno == EINVAL);
  CHECK(ftruncate(99, 0) == -1 && errno == EBADF);
  CHECK(truncate("data", 12) == 0 && stat("data", &st) == 0 && st.st_size == 12);
  CHECK(truncate("missing", 0) == -1 && errno == ENOENT);
  int read_only = open("data", O_RDONLY);
  CHECK(ftruncate(read_only, 0) == -1 && errno == EINVAL && close(read_only) == 0);
  CHECK(lseek(fd, 0, SEEK_SET) == 0 && write(fd, "hello, files", 12) == 12);
  int copy = dup(fd);
  CHECK(copy > fd && lseek(copy, 0, SEEK_CUR) == 12);  // one open file, one offset
  CHECK(close(copy) == 0 && close(fd) == 0);
  CHECK(close(fd) == -1 && errno == EBADF);
  CHECK(open("data", O_CREAT | O_EXCL | O_WRONLY, 0644) == -1 && errno == EEXIST);
  CHECK(rename("data", "renamed") == 0);
  CHECK(stat("data", &st) == -1 && errno == ENOENT);
  CHECK(stat("/tmp/libc_check/renamed", &st) == 0 && st.st_size == 12);
  DIR* dir = opendir(".");
  int found = 0;
  for (struct dirent* e = dir ? readdir(dir) : NULL; e; e = readdir(dir)) {
    found += strcmp(e->d_name, "renamed") == 0;
  }
  CHECK(dir != NULL && found == 1 && closedir(dir) == 0);
  CHECK(rmdir("/tmp/libc_check") == -1 && errno == ENOTEMPTY);
  CHECK(unlink("renamed") == 0 && chdir("/") == 0 && rmdir("/tmp/libc_check") == 0);
  int ends[2];
  CHECK(pipe(ends) == 0);
  CHECK(ftruncate(ends[1], 0) == -1 && errno == EINVAL);
  CHECK(write(ends[1], "pipe", 4) == 4 && close(ends[1]) == 0);
  CHECK(read(ends[0], buffer, sizeof(buffer)) == 4 && memcmp(buffer, "pipe", 4) == 0);
  CHECK(read(ends[0], buffer, sizeof(buffer)) == 0);  // the writer is gone: end of file
  CHECK(close(ends[0]) == 0);
  // The boot module at /ramdisk: read, never changed.
  int motd = open("/ramdisk/etc/motd", O_RDONLY);
  CHECK(motd >= 0 && read(motd, buffer, 7) == 7 && memcmp(buffer, "Welcome", 7) == 0);
  CHECK(close(motd) == 0);
  CHECK(open("/ramdisk/etc/motd", O_WRONLY) == -1 && errno == EROFS);
  CHECK(open("/ramdisk/etc/motd", O_RDWR | O_TRUNC) == -1 && errno == EROFS);
  CHECK(open("/ramdisk/new", O_WRONLY | O_CREAT, 0644) == -1 && errno == EROFS);
  CHECK(mkdir("/ramdisk/dir", 0755) == -1 && errno == EROFS);
  CHECK(unlink("/ramdisk/etc/motd") == -1 && errno == EROFS);
  CHECK(rename("/ramdisk/etc/motd", "/ramdisk/etc/moved") == -1 && errno == EROFS);
  CHECK(stat("/ramdisk/bin/sh", &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0);
  int null = open("/dev/null", O_WRONLY);
  CHECK(null >= 0 && write(null, "x", 1) == 1 && close(null) == 0);
  CHECK(isatty(1) == 1 && isatty(99) == 0);
  // Nobody types during the test: the console is writable, not readable,
  // and a poll for its input times out.
  struct pollfd console = {0, POLLIN | POLLOUT, 0};
  CHECK(poll(&console, 1, 0) == 1 && console.revents == POLLOUT);
  console.events = POLLIN;
  struct timespec before, after;
  CHECK(clock_gettime(CLOCK_MONOTONIC, &before) == 0);
  CHECK(poll(&console, 1, 60) == 0 && console.revents == 0);
  CHECK(clock_gettime(CLOCK_MONOTONIC, &after) == 0);
  CHECK((after.tv_sec - before.tv_sec) * 1000000000L + (after.tv_nsec - before.tv_nsec) >=
        60000000L);
}

// ---- Sockets ----

#define SELF "/bin/libc_check"
#define STREAM_NAME "libc_check.stream"
#define DGRAM_NAME "libc_check.dgram"

static int64_t ms_since(const struct timespec* start) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

static socklen_t address_of(struct sockaddr_un* a, const char* name) {
  memset(a, 0, sizeof(*a));
  a->sun_family = AF_UNIX;
  strcpy(a->sun_path, name);
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(name) + 1);
}

static pid_t spawn_self(const char* mode, const int fds[][2], int fd_count) {
  char* argv[] = {"libc_check", (char*)mode, NULL};
  pid_t pid = 0;
  int r = mica_spawn_path(SELF, argv, NULL, fds, fd_count, &pid);
  if (r < 0) {
    printf("libc_check: spawn %s: %s\n", mode, strerror(-r));
    return -1;
  }
  return pid;
}

static int exit_code(pid_t pid) {
  int status = -1;
  if (pid <= 0 || waitpid(pid, &status, 0) != pid) {
    return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

// Child modes. --socket-client: connects to STREAM_NAME, sends "ping",
// expects "pong". --socket-inherited: fd 3 is a socket; sleeps 50 ms
// (the parent polls meanwhile), then writes "inherited" with write() and
// waits for a '!' back.
static int socket_child(const char* mode) {
  if (strcmp(mode, "--socket-client") == 0) {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a;
    socklen_t n = address_of(&a, STREAM_NAME);
    char buffer[8] = {0};
    if (fd < 0 || connect(fd, (struct sockaddr*)&a, n) != 0) return 2;
    if (send(fd, "ping", 4, 0) != 4) return 3;
    if (recv(fd, buffer, 4, MSG_WAITALL) != 4 || memcmp(buffer, "pong", 4) != 0) {
      return 4;
    }
    return close(fd) == 0 ? 0 : 5;
  }
  if (strcmp(mode, "--socket-inherited") == 0) {
    struct stat st;
    if (fstat(3, &st) != 0 || !S_ISSOCK(st.st_mode)) return 2;
    struct timespec nap = {0, 50 * 1000 * 1000};
    nanosleep(&nap, NULL);
    if (write(3, "inherited", 9) != 9) return 3;
    // Until the parent answers: its poll must not have been woken by our
    // exit.
    char c;
    return read(3, &c, 1) == 1 && c == '!' ? 0 : 4;
  }
  return 1;
}

// A stream pair in one process: data both ways, read/write and send/recv,
// dup, fstat, non-blocking reads, end of file and EPIPE after close.
static void check_socket_pair(void) {
  int sv[2];
  char buffer[32] = {0};
  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  CHECK(write(sv[0], "hello", 5) == 5);
  CHECK(read(sv[1], buffer, sizeof(buffer)) == 5 && memcmp(buffer, "hello", 5) == 0);
  CHECK(send(sv[1], "back", 4, 0) == 4);
  CHECK(recv(sv[0], buffer, sizeof(buffer), 0) == 4 && memcmp(buffer, "back", 4) == 0);
  struct stat st;
  CHECK(fstat(sv[0], &st) == 0 && S_ISSOCK(st.st_mode));
  // A dup is the same socket (its handle comes from the VFS on first use).
  int copy = dup(sv[1]);
  CHECK(copy >= 0 && send(sv[0], "dup", 3, 0) == 3);
  CHECK(recv(copy, buffer, sizeof(buffer), 0) == 3 && memcmp(buffer, "dup", 3) == 0);
  // Nothing to read: EAGAIN with MSG_DONTWAIT, and with O_NONBLOCK set on
  // the open file (seen through the dup too: one open file).
  errno = 0;
  CHECK(recv(sv[1], buffer, sizeof(buffer), MSG_DONTWAIT) == -1 && errno == EAGAIN);
  CHECK(fcntl(copy, F_SETFL, O_NONBLOCK) == 0 && (fcntl(sv[1], F_GETFL) & O_NONBLOCK) != 0);
  errno = 0;
  CHECK(read(sv[1], buffer, sizeof(buffer)) == -1 && errno == EAGAIN);
  CHECK(fcntl(sv[1], F_SETFL, 0) == 0);
  // Bad buffers and descriptors.
  errno = 0;
  CHECK(send(sv[0], (const void*)16, 8, 0) == -1 && errno == EFAULT);
  errno = 0;
  CHECK(send(60, "x", 1, 0) == -1 && errno == EBADF);
  errno = 0;
  CHECK(recv(-1, buffer, 1, 0) == -1 && errno == EBADF);
  errno = 0;
  CHECK(send(1, "x", 1, 0) == -1 && errno == ENOTSOCK);  // the console
  errno = 0;
  CHECK(send(sv[0], "x", 1, MSG_PEEK) == -1 && errno == EOPNOTSUPP);
  // The peer's end closes only with its last descriptor.
  CHECK(close(sv[1]) == 0);
  CHECK(send(sv[0], "still", 5, 0) == 5);
  CHECK(close(copy) == 0);
  // End of file (MSG_DONTWAIT: a socket kept alive by mistake fails fast).
  CHECK(recv(sv[0], buffer, sizeof(buffer), MSG_DONTWAIT) == 0);
  errno = 0;
  CHECK(send(sv[0], "x", 1, 0) == -1 && errno == EPIPE);
  struct pollfd hup = {sv[0], POLLIN, 0};
  CHECK(poll(&hup, 1, 0) == 1 && (hup.revents & POLLHUP) != 0);
  CHECK(close(sv[0]) == 0);
  errno = 0;
  CHECK(send(sv[0], "x", 1, 0) == -1 && errno == EBADF);
  errno = 0;
  CHECK(socket(2 /* AF_INET */, SOCK_STREAM, 0) == -1 && errno == EAFNOSUPPORT);
  errno = 0;
  CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == -1 && errno == EPROTONOSUPPORT);
}

// A named stream server: a client process connects, the server accepts.
static void check_socket_server(void) {
  struct sockaddr_un a;
  socklen_t n = address_of(&a, STREAM_NAME);
  int server = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
  CHECK(server >= 0);
  errno = 0;
  CHECK(connect(server, (struct sockaddr*)&a, n) == -1 && errno == ECONNREFUSED);  // no one
  CHECK(bind(server, (struct sockaddr*)&a, n) == 0);
  int other = socket(AF_UNIX, SOCK_STREAM, 0);
  errno = 0;
  CHECK(bind(other, (struct sockaddr*)&a, n) == -1 && errno == EADDRINUSE);
  CHECK(close(other) == 0);
  CHECK(listen(server, 4) == 0);
  errno = 0;
  CHECK(accept(server, NULL, NULL) == -1 && errno == EAGAIN);  // non-blocking, no client
  pid_t child = spawn_self("--socket-client", NULL, 0);
  CHECK(child > 0);
  // The listener turns readable when the client has connected.
  struct pollfd p = {server, POLLIN, 0};
  CHECK(poll(&p, 1, 5000) == 1 && p.revents == POLLIN);
  struct sockaddr_un peer;
  socklen_t peer_size = sizeof(peer);
  int connection = accept(server, (struct sockaddr*)&peer, &peer_size);
  CHECK(connection >= 0 && peer.sun_family == AF_UNIX);
  char buffer[8] = {0};
  struct pollfd c = {connection, POLLIN, 0};
  CHECK(poll(&c, 1, 5000) == 1);
  CHECK(recv(connection, buffer, 4, MSG_WAITALL) == 4 &&
        memcmp(buffer, "ping", 4) == 0);
  CHECK(send(connection, "pong", 4, 0) == 4);
  CHECK(exit_code(child) == 0);
  CHECK(recv(connection, buffer, sizeof(buffer), MSG_DONTWAIT) == 0);  // the client closed
  CHECK(close(connection) == 0 && close(server) == 0);
  // The name went with the socket.
  int late = socket(AF_UNIX, SOCK_STREAM, 0);
  errno = 0;
  CHECK(connect(late, (struct sockaddr*)&a, n) == -1 && errno == ECONNREFUSED);
  CHECK(close(late) == 0);
}

static void check_socket_datagrams(void) {
  struct sockaddr_un a;
  socklen_t n = address_of(&a, DGRAM_NAME);
  int receiver = socket(AF_UNIX, SOCK_DGRAM, 0);
  int sender = socket(AF_UNIX, SOCK_DGRAM, 0);
  CHECK(receiver >= 0 && sender >= 0 && bind(receiver, (struct sockaddr*)&a, n) == 0);
  CHECK(sendto(sender, "one", 3, 0, (struct sockaddr*)&a, n) == 3);
  CHECK(sendto(sender, "second", 6, 0, (struct sockaddr*)&a, n) == 6);
  char buffer[16] = {0};
  struct sockaddr_un from;
  socklen_t from_size = sizeof(from);
  // One datagram per receive, whole.
  CHECK(recvfrom(receiver, buffer, sizeof(buffer), 0, (struct sockaddr*)&from, &from_size) == 3 &&
        memcmp(buffer, "one", 3) == 0 && from.sun_family == AF_UNIX);
  CHECK(recv(receiver, buffer, sizeof(buffer), 0) == 6 && memcmp(buffer, "second", 6) == 0);
  errno = 0;
  CHECK(recv(receiver, buffer, sizeof(buffer), MSG_DONTWAIT) == -1 && errno == EAGAIN);
  CHECK(connect(sender, (struct sockaddr*)&a, n) == 0 && send(sender, "third", 5, 0) == 5);
  CHECK(read(receiver, buffer, sizeof(buffer)) == 5 && memcmp(buffer, "third", 5) == 0);
  struct sockaddr_un missing;
  socklen_t m = address_of(&missing, "libc_check.nobody");
  errno = 0;
  CHECK(sendto(sender, "x", 1, 0, (struct sockaddr*)&missing, m) == -1 && errno == ECONNREFUSED);
  CHECK(close(sender) == 0 && close(receiver) == 0);
}

// poll and select over a pipe and a socket together; a socket inherited by
// a child process, which writes to it while this one waits in poll.
static void check_socket_poll(void) {
  int ends[2];
  int sv[2];
  CHECK(pipe(ends) == 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  struct pollfd fds[2] = {{ends[0], POLLIN, 0}, {sv[0], POLLIN, 0}};
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  CHECK(poll(fds, 2, 50) == 0 && fds[0].revents == 0 && fds[1].revents == 0);
  CHECK(ms_since(&start) >= 50);
  CHECK(write(ends[1], "p", 1) == 1);
  CHECK(poll(fds, 2, 1000) == 1 && fds[0].revents == POLLIN && fds[1].revents == 0);
  CHECK(send(sv[1], "s", 1, 0) == 1);
  CHECK(poll(fds, 2, 1000) == 2 && fds[0].revents == POLLIN && fds[1].revents == POLLIN);
  fd_set readable;
  FD_ZERO(&readable);
  FD_SET(ends[0], &readable);
  FD_SET(sv[0], &readable);
  struct timeval no_wait = {0, 0};
  int high = (ends[0] > sv[0] ? ends[0] : sv[0]) + 1;
  CHECK(select(high, &readable, NULL, NULL, &no_wait) == 2 && FD_ISSET(sv[0], &readable));
  char c;
  CHECK(read(ends[0], &c, 1) == 1 && recv(sv[0], &c, 1, 0) == 1);
  FD_ZERO(&readable);
  FD_SET(ends[0], &readable);
  FD_SET(sv[0], &readable);
  struct timeval short_wait = {0, 30000};
  CHECK(select(high, &readable, NULL, NULL, &short_wait) == 0 && !FD_ISSET(sv[0], &readable));
  // The child gets sv[1] as its fd 3; ours closes, so its exit ends the
  // socket.
  int inherit[1][2] = {{3, sv[1]}};
  pid_t child = spawn_self("--socket-inherited", inherit, 1);
  CHECK(child > 0 && close(sv[1]) == 0);
  clock_gettime(CLOCK_MONOTONIC, &start);
  fds[0].revents = fds[1].revents = 0;
  CHECK(poll(fds, 2, 5000) == 1 && fds[1].revents == POLLIN && fds[0].revents == 0);
  CHECK(ms_since(&start) < 2000);  // woken by the socket, not by the timeout
  char buffer[16] = {0};
  CHECK(recv(sv[0], buffer, 9, MSG_WAITALL) == 9 &&
        memcmp(buffer, "inherited", 9) == 0);
  CHECK(send(sv[0], "!", 1, 0) == 1);
  CHECK(exit_code(child) == 0);
  // The child's end closed at its exit.
  CHECK(recv(sv[0], buffer, sizeof(buffer), MSG_DONTWAIT) == 0);
  CHECK(close(sv[0]) == 0 && close(ends[0]) == 0 && close(ends[1]) == 0);
  errno = 0;
  struct pollfd closed = {sv[0], POLLIN, 0};
  CHECK(poll(&closed, 1, 0) == 1 && closed.revents == POLLNVAL);
}

static void check_sockets(void) {
  check_socket_pair();
  check_socket_server();
  check_socket_datagrams();
  check_socket_poll();
}

static void at_exit_second(void) {
  puts("atexit handlers ran in order");
}
static void at_exit_first(void) {
  fputs("libc_check: ", stdout);
}

int main(int argc, char** argv) {
  if (argc >= 2) {
    return socket_child(argv[1]);
  }
  check_setjmp();
  check_printf();
  check_malloc();
  check_system();
  check_sockets();
  atexit(at_exit_second);
  atexit(at_exit_first);  // runs first
  printf("libc_check: %d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
