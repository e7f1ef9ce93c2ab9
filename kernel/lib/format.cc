#include <stdint.h>

#include <lib/format.h>

namespace lib {
namespace {

// Widths and precisions saturate here: enough for any real use, and no
// integer overflow from a hostile format string.
constexpr int kMaxWidth = 100000;

struct Spec {
  bool left = false;
  bool zero = false;
  bool plus = false;
  bool space = false;
  bool alt = false;
  int width = 0;
  int precision = -1;
};

class Writer {
 public:
  Writer(FormatSink sink, void* context) : sink_(sink), context_(context) {}
  void put(const char* text, size_t length) {
    if (length == 0) return;
    sink_(context_, text, length);
    count_ += length;
  }
  void repeat(char c, int n) {
    char chunk[16];
    for (auto& slot : chunk) slot = c;
    while (n > 0) {
      int step = n < 16 ? n : 16;
      put(chunk, static_cast<size_t>(step));
      n -= step;
    }
  }
  size_t count() const { return count_; }

 private:
  FormatSink sink_;
  void* context_;
  size_t count_ = 0;
};

void emit_padded(Writer& out, const Spec& spec, const char* prefix, size_t prefix_len, int zeros,
                 const char* body, size_t body_len) {
  int total = static_cast<int>(prefix_len + body_len) + zeros;
  int pad = spec.width > total ? spec.width - total : 0;
  if (!spec.left) out.repeat(' ', pad);
  out.put(prefix, prefix_len);
  out.repeat('0', zeros);
  out.put(body, body_len);
  if (spec.left) out.repeat(' ', pad);
}

void emit_integer(Writer& out, Spec spec, uint64_t magnitude, bool negative, unsigned base,
                  bool upper, bool is_signed) {
  char digits[24];
  size_t n = 0;
  const char* table = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  while (magnitude != 0) {
    digits[n++] = table[magnitude % base];
    magnitude /= base;
  }
  // Precision 0 with value 0 prints no digits (C rule); otherwise at least one.
  if (n == 0 && spec.precision != 0) digits[n++] = '0';
  char body[24];
  for (size_t i = 0; i < n; ++i) body[i] = digits[n - 1 - i];

  char prefix[3];
  size_t prefix_len = 0;
  if (is_signed) {
    if (negative)
      prefix[prefix_len++] = '-';
    else if (spec.plus)
      prefix[prefix_len++] = '+';
    else if (spec.space)
      prefix[prefix_len++] = ' ';
  }
  if (spec.alt && base == 16 && n > 0 && !(n == 1 && body[0] == '0')) {
    prefix[prefix_len++] = '0';
    prefix[prefix_len++] = upper ? 'X' : 'x';
  }
  if (spec.alt && base == 8 && body[0] != '0') prefix[prefix_len++] = '0';

  int zeros = 0;
  if (spec.precision >= 0) {
    if (spec.precision > static_cast<int>(n)) zeros = spec.precision - static_cast<int>(n);
  } else if (spec.zero && !spec.left) {
    int used = static_cast<int>(prefix_len + n);
    if (spec.width > used) zeros = spec.width - used;
  }
  emit_padded(out, spec, prefix, prefix_len, zeros, body, n);
}

}  // namespace

size_t vformat_to(FormatSink sink, void* context, const char* fmt, va_list args) {
  Writer out(sink, context);
  const char* p = fmt;
  while (*p != '\0') {
    if (*p != '%') {
      const char* start = p;
      while (*p != '\0' && *p != '%') ++p;
      out.put(start, static_cast<size_t>(p - start));
      continue;
    }
    const char* directive = p++;
    Spec spec;
    for (;; ++p) {
      if (*p == '-')
        spec.left = true;
      else if (*p == '0')
        spec.zero = true;
      else if (*p == '+')
        spec.plus = true;
      else if (*p == ' ')
        spec.space = true;
      else if (*p == '#')
        spec.alt = true;
      else
        break;
    }
    if (*p == '*') {
      spec.width = va_arg(args, int);
      if (spec.width < 0) {
        spec.left = true;
        spec.width = -spec.width;
      }
      ++p;
    } else {
      for (; *p >= '0' && *p <= '9'; ++p) {
        if (spec.width < kMaxWidth) spec.width = spec.width * 10 + (*p - '0');
      }
    }
    if (*p == '.') {
      ++p;
      spec.precision = 0;
      if (*p == '*') {
        spec.precision = va_arg(args, int);
        ++p;
      } else {
        for (; *p >= '0' && *p <= '9'; ++p) {
          if (spec.precision < kMaxWidth) spec.precision = spec.precision * 10 + (*p - '0');
        }
      }
    }
    // Length: 0 int, 1 long, 2 long long, 3 size_t/ptrdiff_t/intmax_t, -1 short, -2 char.
    int length = 0;
    if (*p == 'h') {
      length = -1;
      if (*++p == 'h') length = -2, ++p;
    } else if (*p == 'l') {
      length = 1;
      if (*++p == 'l') length = 2, ++p;
    } else if (*p == 'z' || *p == 't' || *p == 'j') {
      length = 3;
      ++p;
    }

    char conversion = *p;
    if (conversion != '\0') ++p;
    switch (conversion) {
      case 'd':
      case 'i': {
        int64_t value;
        if (length == 1)
          value = va_arg(args, long);
        else if (length == 2)
          value = va_arg(args, long long);
        else if (length == 3)
          value = static_cast<int64_t>(va_arg(args, intptr_t));
        else
          value = va_arg(args, int);
        if (length == -1) value = static_cast<short>(value);
        if (length == -2) value = static_cast<signed char>(value);
        bool negative = value < 0;
        uint64_t magnitude =
            negative ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
        emit_integer(out, spec, magnitude, negative, 10, false, true);
        break;
      }
      case 'u':
      case 'x':
      case 'X':
      case 'o': {
        uint64_t value;
        if (length == 1)
          value = va_arg(args, unsigned long);
        else if (length == 2)
          value = va_arg(args, unsigned long long);
        else if (length == 3)
          value = va_arg(args, size_t);
        else
          value = va_arg(args, unsigned int);
        if (length == -1) value = static_cast<unsigned short>(value);
        if (length == -2) value = static_cast<unsigned char>(value);
        unsigned base = conversion == 'u' ? 10 : conversion == 'o' ? 8 : 16;
        emit_integer(out, spec, value, false, base, conversion == 'X', false);
        break;
      }
      case 'p': {
        auto value = reinterpret_cast<uintptr_t>(va_arg(args, void*));
        spec.alt = true;
        emit_integer(out, spec, value, false, 16, false, false);
        break;
      }
      case 'c': {
        char c = static_cast<char>(va_arg(args, int));
        emit_padded(out, spec, "", 0, 0, &c, 1);
        break;
      }
      case 's': {
        const char* s = va_arg(args, const char*);
        if (s == nullptr) s = "(null)";
        size_t n = 0;
        while (s[n] != '\0' && (spec.precision < 0 || n < static_cast<size_t>(spec.precision))) ++n;
        emit_padded(out, spec, "", 0, 0, s, n);
        break;
      }
      case '%':
        out.put("%", 1);
        break;
      default:
        // Unknown or truncated directive: print it as written, consume nothing.
        out.put(directive, static_cast<size_t>(p - directive));
        break;
    }
  }
  return out.count();
}

size_t format_to(FormatSink sink, void* context, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  size_t n = vformat_to(sink, context, fmt, args);
  va_end(args);
  return n;
}

namespace {
struct BufferSink {
  char* buffer;
  size_t capacity;
  size_t used;
};

void buffer_sink(void* context, const char* text, size_t length) {
  auto* sink = static_cast<BufferSink*>(context);
  for (size_t i = 0; i < length; ++i) {
    if (sink->used + 1 < sink->capacity) sink->buffer[sink->used++] = text[i];
  }
}
}  // namespace

size_t vformat(char* buffer, size_t capacity, const char* fmt, va_list args) {
  BufferSink sink{buffer, capacity, 0};
  size_t n = vformat_to(buffer_sink, &sink, fmt, args);
  if (capacity != 0) buffer[sink.used] = '\0';
  return n;
}

size_t format(char* buffer, size_t capacity, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  size_t n = vformat(buffer, capacity, fmt, args);
  va_end(args);
  return n;
}

}  // namespace lib
