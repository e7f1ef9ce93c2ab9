#include <core/cmdline.h>

namespace cmdline {
namespace {

// Finds word `key` (terminated by space, '=' or end); returns a pointer just
// past the key, or nullptr.
const char* find(const char* line, const char* key) {
  const char* p = line;
  while (*p != '\0') {
    while (*p == ' ') ++p;
    const char* word = p;
    const char* k = key;
    while (*k != '\0' && *p == *k) ++p, ++k;
    if (*k == '\0' && (*p == '\0' || *p == ' ' || *p == '=') && word != p) return p;
    while (*p != '\0' && *p != ' ') ++p;
  }
  return nullptr;
}

}  // namespace

bool has(const char* line, const char* flag) {
  return *flag != '\0' && find(line, flag) != nullptr;
}

bool get(const char* line, const char* key, char* out, size_t cap) {
  if (*key == '\0' || cap == 0) return false;
  const char* p = find(line, key);
  if (p == nullptr || *p != '=') return false;
  ++p;
  size_t n = 0;
  while (p[n] != '\0' && p[n] != ' ' && n + 1 < cap) {
    out[n] = p[n];
    ++n;
  }
  out[n] = '\0';
  return true;
}

}  // namespace cmdline
