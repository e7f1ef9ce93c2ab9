// libc_check: the C library on the target, through the real system calls
// (what the host unit tests cannot reach): setjmp/longjmp, 64-bit printf
// (i586's division helpers), malloc on MICA_SYS_VM_ALLOCATE, errno, the
// clock and sleeping, anonymous mmap, stdio, atexit. Prints one line per
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
#include <mica/startup.h>
#include <poll.h>
#include <setjmp.h>
#include <sys/mman.h>
#include <sys/stat.h>
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
  CHECK(write(ends[1], "pipe", 4) == 4 && close(ends[1]) == 0);
  CHECK(read(ends[0], buffer, sizeof(buffer)) == 4 && memcmp(buffer, "pipe", 4) == 0);
  CHECK(read(ends[0], buffer, sizeof(buffer)) == 0);  // the writer is gone: end of file
  CHECK(close(ends[0]) == 0);
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

static void at_exit_second(void) {
  puts("atexit handlers ran in order");
}
static void at_exit_first(void) {
  fputs("libc_check: ", stdout);
}

int main(int argc, char** argv) {
  check_setjmp();
  check_printf();
  check_malloc();
  check_system();
  atexit(at_exit_second);
  atexit(at_exit_first);  // runs first
  printf("libc_check: %d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
