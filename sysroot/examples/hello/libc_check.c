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

#include <errno.h>
#include <fcntl.h>
#include <mica/calls.h>
#include <mica/startup.h>
#include <setjmp.h>
#include <sys/mman.h>
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
  errno = 0;
  CHECK(open("/nonexistent", 0) == -1 && errno == ENOSYS);  // TODO(issue 6): the router
  CHECK(strtol("-0x7f", NULL, 16) == -127);
  CHECK(mica_startup() != NULL && mica_startup()->magic == MICA_STARTUP_MAGIC);
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
