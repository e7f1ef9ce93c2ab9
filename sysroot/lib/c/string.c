// <string.h> and <strings.h>. Compiled with -fno-builtin so the compiler
// never turns these loops into calls to themselves.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ctype.h>
#include <strings.h>

typedef size_t __attribute__((may_alias)) word_t;
#define WORD sizeof(word_t)

// Copies forward, a word at a time when both are aligned: also right for an
// overlapping move to a lower address.
static void copy_forward(void* dest, const void* src, size_t n) {
  unsigned char* d = dest;
  const unsigned char* s = src;
  if ((((uintptr_t)d | (uintptr_t)s) & (WORD - 1)) == 0) {
    for (; n >= WORD; n -= WORD, d += WORD, s += WORD) {
      *(word_t*)d = *(const word_t*)s;
    }
  }
  while (n--) {
    *d++ = *s++;
  }
}

void* memcpy(void* __restrict dest, const void* __restrict src, size_t n) {
  copy_forward(dest, src, n);
  return dest;
}

void* memmove(void* dest, const void* src, size_t n) {
  unsigned char* d = dest;
  const unsigned char* s = src;
  if (d == s || n == 0) {
    return dest;
  }
  if ((uintptr_t)d - (uintptr_t)s >= n) {
    // Forward is safe: dest is below src, or past the end of it.
    copy_forward(dest, src, n);
    return dest;
  }
  // dest overlaps the tail of src: copy backwards.
  d += n;
  s += n;
  if ((((uintptr_t)d | (uintptr_t)s) & (WORD - 1)) == 0) {
    for (; n >= WORD; n -= WORD) {
      d -= WORD;
      s -= WORD;
      *(word_t*)d = *(const word_t*)s;
    }
  }
  while (n--) {
    *--d = *--s;
  }
  return dest;
}

void* memset(void* dest, int c, size_t n) {
  unsigned char* d = dest;
  unsigned char byte = (unsigned char)c;
  for (; n && ((uintptr_t)d & (WORD - 1)); n--) {
    *d++ = byte;
  }
  word_t pattern = (word_t)-1 / 0xff * byte;
  for (; n >= WORD; n -= WORD, d += WORD) {
    *(word_t*)d = pattern;
  }
  while (n--) {
    *d++ = byte;
  }
  return dest;
}

int memcmp(const void* a, const void* b, size_t n) {
  const unsigned char* x = a;
  const unsigned char* y = b;
  for (size_t i = 0; i < n; i++) {
    if (x[i] != y[i]) {
      return x[i] < y[i] ? -1 : 1;
    }
  }
  return 0;
}

// Compilers may call bcmp for a memcmp whose result is only tested against 0.
int bcmp(const void* a, const void* b, size_t n) {
  return memcmp(a, b, n);
}

void* memchr(const void* s, int c, size_t n) {
  const unsigned char* p = s;
  for (size_t i = 0; i < n; i++) {
    if (p[i] == (unsigned char)c) {
      return (void*)(p + i);
    }
  }
  return NULL;
}

void* memrchr(const void* s, int c, size_t n) {
  const unsigned char* p = s;
  while (n--) {
    if (p[n] == (unsigned char)c) {
      return (void*)(p + n);
    }
  }
  return NULL;
}

size_t strlen(const char* s) {
  const char* p = s;
  while (*p) {
    p++;
  }
  return (size_t)(p - s);
}

size_t strnlen(const char* s, size_t max) {
  size_t n = 0;
  while (n < max && s[n]) {
    n++;
  }
  return n;
}

int strcmp(const char* a, const char* b) {
  while (*a && *a == *b) {
    a++;
    b++;
  }
  return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char* a, const char* b, size_t n) {
  for (; n; n--, a++, b++) {
    if (*a != *b || !*a) {
      return (unsigned char)*a - (unsigned char)*b;
    }
  }
  return 0;
}

int strcoll(const char* a, const char* b) {
  return strcmp(a, b);
}

int strcasecmp(const char* a, const char* b) {
  while (*a && tolower((unsigned char)*a) == tolower((unsigned char)*b)) {
    a++;
    b++;
  }
  return tolower((unsigned char)*a) - tolower((unsigned char)*b);
}

int strncasecmp(const char* a, const char* b, size_t n) {
  for (; n; n--, a++, b++) {
    int x = tolower((unsigned char)*a);
    int y = tolower((unsigned char)*b);
    if (x != y || !x) {
      return x - y;
    }
  }
  return 0;
}

char* strcpy(char* __restrict dest, const char* __restrict src) {
  char* d = dest;
  while ((*d++ = *src++)) {
  }
  return dest;
}

char* stpcpy(char* __restrict dest, const char* __restrict src) {
  while ((*dest = *src++)) {
    dest++;
  }
  return dest;
}

char* strncpy(char* __restrict dest, const char* __restrict src, size_t n) {
  size_t i = 0;
  for (; i < n && src[i]; i++) {
    dest[i] = src[i];
  }
  for (; i < n; i++) {
    dest[i] = 0;
  }
  return dest;
}

size_t strlcpy(char* __restrict dest, const char* __restrict src, size_t size) {
  size_t length = strlen(src);
  if (size) {
    size_t n = length < size - 1 ? length : size - 1;
    memcpy(dest, src, n);
    dest[n] = 0;
  }
  return length;
}

size_t strlcat(char* __restrict dest, const char* __restrict src, size_t size) {
  size_t used = strnlen(dest, size);
  if (used == size) {
    return size + strlen(src);
  }
  return used + strlcpy(dest + used, src, size - used);
}

char* strcat(char* __restrict dest, const char* __restrict src) {
  strcpy(dest + strlen(dest), src);
  return dest;
}

char* strncat(char* __restrict dest, const char* __restrict src, size_t n) {
  char* d = dest + strlen(dest);
  while (n-- && *src) {
    *d++ = *src++;
  }
  *d = 0;
  return dest;
}

char* strchr(const char* s, int c) {
  for (;; s++) {
    if (*s == (char)c) {
      return (char*)s;
    }
    if (!*s) {
      return NULL;
    }
  }
}

char* strrchr(const char* s, int c) {
  const char* found = NULL;
  for (;; s++) {
    if (*s == (char)c) {
      found = s;
    }
    if (!*s) {
      return (char*)found;
    }
  }
}

char* strstr(const char* haystack, const char* needle) {
  size_t n = strlen(needle);
  if (n == 0) {
    return (char*)haystack;
  }
  for (; *haystack; haystack++) {
    if (*haystack == *needle && strncmp(haystack, needle, n) == 0) {
      return (char*)haystack;
    }
  }
  return NULL;
}

size_t strspn(const char* s, const char* accept) {
  size_t n = 0;
  while (s[n] && strchr(accept, s[n])) {
    n++;
  }
  return n;
}

size_t strcspn(const char* s, const char* reject) {
  size_t n = 0;
  while (s[n] && !strchr(reject, s[n])) {
    n++;
  }
  return n;
}

char* strpbrk(const char* s, const char* accept) {
  s += strcspn(s, accept);
  return *s ? (char*)s : NULL;
}

char* strtok_r(char* __restrict s, const char* __restrict delim, char** __restrict save) {
  if (!s) {
    s = *save;
  }
  if (!s) {
    return NULL;
  }
  s += strspn(s, delim);
  if (!*s) {
    *save = NULL;
    return NULL;
  }
  char* end = s + strcspn(s, delim);
  if (*end) {
    *end = 0;
    *save = end + 1;
  } else {
    *save = NULL;
  }
  return s;
}

char* strtok(char* __restrict s, const char* __restrict delim) {
  static char* save;
  return strtok_r(s, delim, &save);
}

char* strdup(const char* s) {
  size_t n = strlen(s) + 1;
  char* copy = malloc(n);
  return copy ? memcpy(copy, s, n) : NULL;
}

char* strndup(const char* s, size_t n) {
  n = strnlen(s, n);
  char* copy = malloc(n + 1);
  if (!copy) {
    return NULL;
  }
  memcpy(copy, s, n);
  copy[n] = 0;
  return copy;
}
