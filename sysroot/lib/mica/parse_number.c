#include <errno.h>
#include <mica/parse_number.h>

int mica_parse_number(const char* text, size_t length, uint64_t max, uint64_t* out) {
  unsigned base = 10;
  if (length >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text += 2;
    length -= 2;
  }
  if (length == 0) return -EINVAL;
  uint64_t value = 0;
  int too_big = 0;
  for (size_t i = 0; i < length; ++i) {
    char c = text[i];
    unsigned digit;
    if (c >= '0' && c <= '9') {
      digit = (unsigned)(c - '0');
    } else if (base == 16 && c >= 'a' && c <= 'f') {
      digit = (unsigned)(c - 'a' + 10);
    } else if (base == 16 && c >= 'A' && c <= 'F') {
      digit = (unsigned)(c - 'A' + 10);
    } else {
      return -EINVAL;
    }
    // Junk after an overflow is still junk: keep reading, stop counting.
    if (too_big || digit > max || value > (max - digit) / base) {
      too_big = 1;
    } else {
      value = value * base + digit;
    }
  }
  if (too_big) return -ERANGE;
  *out = value;
  return 0;
}
