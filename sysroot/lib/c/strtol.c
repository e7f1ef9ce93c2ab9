// strtol family and ato*: C11 semantics (leading space, sign, base 0/8/10/16
// with prefixes; ERANGE and the clamped value on overflow; EINVAL for a base
// outside 0 and 2..36; *end at the first character not used).
#include <stdlib.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>

static int digit_value(int c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'Z') {
    return c - 'A' + 10;
  }
  return 99;
}

// Parses the magnitude, saturating at `limit` (and flagging overflow past
// it). Returns the magnitude; *negative tells the sign seen.
static unsigned long long parse(const char* s, char** end, int base, unsigned long long limit,
                                bool* negative, bool* overflow) {
  const char* p = s;
  *negative = false;
  *overflow = false;
  if (base < 0 || base == 1 || base > 36) {
    errno = EINVAL;
    if (end) {
      *end = (char*)s;
    }
    return 0;
  }
  while (isspace((unsigned char)*p)) {
    p++;
  }
  if (*p == '+' || *p == '-') {
    *negative = *p == '-';
    p++;
  }
  if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
      digit_value((unsigned char)p[2]) < 16) {
    p += 2;
    base = 16;
  } else if (base == 0) {
    base = p[0] == '0' ? 8 : 10;
  }
  unsigned long long value = 0;
  const char* first_digit = p;
  for (;; p++) {
    int d = digit_value((unsigned char)*p);
    if (d >= base) {
      break;
    }
    if (*overflow) {
      continue;
    }
    if (value > (limit - (unsigned)d) / (unsigned)base) {
      *overflow = true;
      value = limit;
    } else {
      value = value * (unsigned)base + (unsigned)d;
    }
  }
  if (p == first_digit) {
    // No digits: nothing converted.
    *negative = false;
    if (end) {
      *end = (char*)s;
    }
    return 0;
  }
  if (end) {
    *end = (char*)p;
  }
  return value;
}

long long strtoll(const char* __restrict s, char** __restrict end, int base) {
  bool negative;
  bool overflow;
  // The magnitude of LLONG_MIN is one more than LLONG_MAX.
  unsigned long long m =
      parse(s, end, base, (unsigned long long)LLONG_MAX + 1, &negative, &overflow);
  if (negative) {
    if (overflow) {
      errno = ERANGE;
      return LLONG_MIN;
    }
    return m == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)m;
  }
  if (overflow || m > (unsigned long long)LLONG_MAX) {
    errno = ERANGE;
    return LLONG_MAX;
  }
  return (long long)m;
}

long strtol(const char* __restrict s, char** __restrict end, int base) {
  bool negative;
  bool overflow;
  unsigned long long m =
      parse(s, end, base, (unsigned long long)LONG_MAX + 1, &negative, &overflow);
  if (negative) {
    if (overflow) {
      errno = ERANGE;
      return LONG_MIN;
    }
    return m == (unsigned long long)LONG_MAX + 1 ? LONG_MIN : -(long)m;
  }
  if (overflow || m > (unsigned long long)LONG_MAX) {
    errno = ERANGE;
    return LONG_MAX;
  }
  return (long)m;
}

unsigned long long strtoull(const char* __restrict s, char** __restrict end, int base) {
  bool negative;
  bool overflow;
  unsigned long long m = parse(s, end, base, ULLONG_MAX, &negative, &overflow);
  if (overflow) {
    errno = ERANGE;
    return ULLONG_MAX;
  }
  return negative ? -m : m;
}

unsigned long strtoul(const char* __restrict s, char** __restrict end, int base) {
  bool negative;
  bool overflow;
  unsigned long long m = parse(s, end, base, ULONG_MAX, &negative, &overflow);
  if (overflow) {
    errno = ERANGE;
    return ULONG_MAX;
  }
  return negative ? (unsigned long)-m : (unsigned long)m;
}

int atoi(const char* s) {
  return (int)strtol(s, NULL, 10);
}
long atol(const char* s) {
  return strtol(s, NULL, 10);
}
long long atoll(const char* s) {
  return strtoll(s, NULL, 10);
}
