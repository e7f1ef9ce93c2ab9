// sleep SECONDS: waits SECONDS (a decimal number, fractions allowed:
// "0.25"); several arguments add up.
#include <stdio.h>

#include <errno.h>
#include <time.h>

namespace {

// Parses "N", "N.F" or ".F" into *out; false if `text` is not one.
bool parse_seconds(const char* text, struct timespec* out) {
  long long seconds = 0;
  long nanoseconds = 0;
  const char* p = text;
  bool digits = false;
  for (; *p >= '0' && *p <= '9'; p++) {
    if (seconds > 100000000) return false;
    seconds = seconds * 10 + (*p - '0');
    digits = true;
  }
  if (*p == '.') {
    p++;
    long scale = 100000000;
    for (; *p >= '0' && *p <= '9'; p++) {
      nanoseconds += (*p - '0') * scale;
      scale /= 10;
      digits = true;
    }
  }
  if (!digits || *p != 0) return false;
  out->tv_sec = seconds;
  out->tv_nsec = nanoseconds;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "sleep: missing operand\n");
    return 1;
  }
  struct timespec total = {0, 0};
  for (int i = 1; i < argc; i++) {
    struct timespec t;
    if (!parse_seconds(argv[i], &t)) {
      fprintf(stderr, "sleep: invalid time interval '%s'\n", argv[i]);
      return 1;
    }
    total.tv_sec += t.tv_sec;
    total.tv_nsec += t.tv_nsec;
    if (total.tv_nsec >= 1000000000) {
      total.tv_sec++;
      total.tv_nsec -= 1000000000;
    }
  }
  struct timespec remaining;
  while (nanosleep(&total, &remaining) != 0) {
    if (errno != EINTR) {
      fprintf(stderr, "sleep: nanosleep failed\n");
      return 1;
    }
    total = remaining;
  }
  return 0;
}
