// The printf engine, and the string printf functions (snprintf & co.).
#include "format.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <stdbool.h>

enum length { kNone, kChar, kShort, kLong, kLongLong, kSize, kMax, kPtrdiff };

struct spec {
  bool left;   // '-'
  bool plus;   // '+'
  bool space;  // ' '
  bool alt;    // '#'
  bool zero;   // '0'
  int width;
  int precision;  // -1: none
};

struct out {
  mica_format_sink sink;
  void* context;
  int count;
};

static void emit(struct out* o, const char* text, size_t n) {
  if (n) {
    o->sink(o->context, text, n);
    o->count += (int)n;
  }
}

static void pad(struct out* o, char c, int n) {
  char buffer[16];
  memset(buffer, c, sizeof(buffer));
  while (n > 0) {
    int chunk = n < (int)sizeof(buffer) ? n : (int)sizeof(buffer);
    emit(o, buffer, (size_t)chunk);
    n -= chunk;
  }
}

// One field: [prefix][zeros][body], padded to the width.
static void field(struct out* o, const struct spec* s, const char* prefix, int zeros,
                  const char* body, int body_length) {
  int prefix_length = (int)strlen(prefix);
  int total = prefix_length + zeros + body_length;
  int padding = s->width > total ? s->width - total : 0;
  if (!s->left) {
    if (s->zero) {
      zeros += padding;
    } else {
      pad(o, ' ', padding);
    }
  }
  emit(o, prefix, (size_t)prefix_length);
  pad(o, '0', zeros);
  emit(o, body, (size_t)body_length);
  if (s->left) {
    pad(o, ' ', padding);
  }
}

static void integer(struct out* o, struct spec* s, uintmax_t value, bool negative, unsigned base,
                    bool upper, bool pointer) {
  char digits[sizeof(uintmax_t) * 3 + 2];
  int n = 0;
  const char* set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  for (uintmax_t v = value; v; v /= base) {
    digits[sizeof(digits) - 1 - n++] = set[v % base];
  }
  int zeros = 0;
  if (s->precision >= 0) {
    s->zero = false;
    if (s->precision > n) {
      zeros = s->precision - n;
    }
  } else if (n == 0) {
    zeros = 1;  // "0"
  }
  const char* prefix = "";
  if (negative) {
    prefix = "-";
  } else if (s->plus && base == 10 && !pointer) {
    prefix = "+";
  } else if (s->space && base == 10 && !pointer) {
    prefix = " ";
  }
  if (pointer || (s->alt && base == 16 && value != 0)) {
    prefix = upper ? "0X" : "0x";
  } else if (s->alt && base == 8 && zeros == 0 && (n == 0 || digits[sizeof(digits) - n] != '0')) {
    zeros = 1;  // '#o' forces a leading 0
  }
  field(o, s, prefix, zeros, digits + sizeof(digits) - n, n);
}

int __mica_vformat(mica_format_sink sink, void* context, const char* format, va_list args) {
  struct out o = {sink, context, 0};
  va_list ap;
  va_copy(ap, args);
  const char* p = format;
  while (*p) {
    if (*p != '%') {
      const char* start = p;
      while (*p && *p != '%') {
        p++;
      }
      emit(&o, start, (size_t)(p - start));
      continue;
    }
    const char* conversion_start = p++;
    struct spec s = {false, false, false, false, false, 0, -1};
    for (;; p++) {
      if (*p == '-') {
        s.left = true;
      } else if (*p == '+') {
        s.plus = true;
      } else if (*p == ' ') {
        s.space = true;
      } else if (*p == '#') {
        s.alt = true;
      } else if (*p == '0') {
        s.zero = true;
      } else {
        break;
      }
    }
    if (*p == '*') {
      s.width = va_arg(ap, int);
      if (s.width < 0) {
        s.left = true;
        s.width = -s.width;
      }
      p++;
    } else {
      while (*p >= '0' && *p <= '9') {
        s.width = s.width * 10 + (*p++ - '0');
      }
    }
    if (*p == '.') {
      p++;
      s.precision = 0;
      if (*p == '*') {
        s.precision = va_arg(ap, int);
        if (s.precision < 0) {
          s.precision = -1;
        }
        p++;
      } else {
        while (*p >= '0' && *p <= '9') {
          s.precision = s.precision * 10 + (*p++ - '0');
        }
      }
    }
    if (s.left) {
      s.zero = false;
    }
    enum length length = kNone;
    if (*p == 'h') {
      length = p[1] == 'h' ? kChar : kShort;
      p += p[1] == 'h' ? 2 : 1;
    } else if (*p == 'l') {
      length = p[1] == 'l' ? kLongLong : kLong;
      p += p[1] == 'l' ? 2 : 1;
    } else if (*p == 'z') {
      length = kSize;
      p++;
    } else if (*p == 'j') {
      length = kMax;
      p++;
    } else if (*p == 't') {
      length = kPtrdiff;
      p++;
    } else if (*p == 'L') {
      p++;
    }
    char c = *p;
    if (c) {
      p++;
    }
    switch (c) {
      case 'd':
      case 'i': {
        intmax_t v;
        switch (length) {
          case kChar:
            v = (signed char)va_arg(ap, int);
            break;
          case kShort:
            v = (short)va_arg(ap, int);
            break;
          case kLong:
            v = va_arg(ap, long);
            break;
          case kLongLong:
            v = va_arg(ap, long long);
            break;
          case kSize:
            v = (intmax_t)va_arg(ap, size_t);  // ssize_t
            break;
          case kMax:
            v = va_arg(ap, intmax_t);
            break;
          case kPtrdiff:
            v = va_arg(ap, ptrdiff_t);
            break;
          default:
            v = va_arg(ap, int);
        }
        uintmax_t magnitude = v < 0 ? -(uintmax_t)v : (uintmax_t)v;
        integer(&o, &s, magnitude, v < 0, 10, false, false);
        break;
      }
      case 'u':
      case 'x':
      case 'X':
      case 'o': {
        uintmax_t v;
        switch (length) {
          case kChar:
            v = (unsigned char)va_arg(ap, unsigned);
            break;
          case kShort:
            v = (unsigned short)va_arg(ap, unsigned);
            break;
          case kLong:
            v = va_arg(ap, unsigned long);
            break;
          case kLongLong:
            v = va_arg(ap, unsigned long long);
            break;
          case kSize:
            v = va_arg(ap, size_t);
            break;
          case kMax:
            v = va_arg(ap, uintmax_t);
            break;
          case kPtrdiff:
            v = (uintmax_t)va_arg(ap, ptrdiff_t);
            break;
          default:
            v = va_arg(ap, unsigned);
        }
        unsigned base = c == 'u' ? 10 : c == 'o' ? 8 : 16;
        integer(&o, &s, v, false, base, c == 'X', false);
        break;
      }
      case 'p': {
        s.alt = false;
        integer(&o, &s, (uintptr_t)va_arg(ap, void*), false, 16, false, true);
        break;
      }
      case 'c': {
        char ch = (char)va_arg(ap, int);
        s.zero = false;
        field(&o, &s, "", 0, &ch, 1);
        break;
      }
      case 's': {
        const char* str = va_arg(ap, const char*);
        if (!str) {
          str = "(null)";
        }
        size_t n = s.precision >= 0 ? strnlen(str, (size_t)s.precision) : strlen(str);
        s.zero = false;
        field(&o, &s, "", 0, str, (int)n);
        break;
      }
      case '%':
        emit(&o, "%", 1);
        break;
      default:
        // Unknown (or %n, never supported): print the directive as written.
        emit(&o, conversion_start, (size_t)(p - conversion_start));
        break;
    }
  }
  va_end(ap);
  return o.count;
}

// ---- Into a buffer ----

struct buffer {
  char* data;
  size_t size;  // capacity including the terminator; 0: count only
  size_t used;
};

static void buffer_sink(void* context, const char* text, size_t n) {
  struct buffer* b = context;
  if (b->used + 1 < b->size) {
    size_t room = b->size - 1 - b->used;
    memcpy(b->data + b->used, text, n < room ? n : room);
  }
  b->used += n;
}

int vsnprintf(char* __restrict data, size_t size, const char* __restrict format, va_list args) {
  struct buffer b = {data, size, 0};
  int n = __mica_vformat(buffer_sink, &b, format, args);
  if (size) {
    data[b.used < size ? b.used : size - 1] = 0;
  }
  return n;
}

int snprintf(char* __restrict data, size_t size, const char* __restrict format, ...) {
  va_list args;
  va_start(args, format);
  int n = vsnprintf(data, size, format, args);
  va_end(args);
  return n;
}

int vsprintf(char* __restrict data, const char* __restrict format, va_list args) {
  return vsnprintf(data, SIZE_MAX / 2, format, args);
}

int sprintf(char* __restrict data, const char* __restrict format, ...) {
  va_list args;
  va_start(args, format);
  int n = vsprintf(data, format, args);
  va_end(args);
  return n;
}
