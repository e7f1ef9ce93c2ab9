// The libc functions under test, by the names host_rename.h gives them
// (the host build of sysroot/lib/c), for the GoogleTest files.
#pragma once

#include <stdarg.h>
#include <stddef.h>

extern "C" {

void* mica_host_memcpy(void* dest, const void* src, size_t n);
void* mica_host_memmove(void* dest, const void* src, size_t n);
void* mica_host_memset(void* dest, int c, size_t n);
int mica_host_memcmp(const void* a, const void* b, size_t n);
void* mica_host_memchr(const void* s, int c, size_t n);
void* mica_host_memrchr(const void* s, int c, size_t n);
size_t mica_host_strlen(const char* s);
size_t mica_host_strnlen(const char* s, size_t max);
int mica_host_strcmp(const char* a, const char* b);
int mica_host_strncmp(const char* a, const char* b, size_t n);
int mica_host_strcasecmp(const char* a, const char* b);
int mica_host_strncasecmp(const char* a, const char* b, size_t n);
char* mica_host_strcpy(char* dest, const char* src);
char* mica_host_stpcpy(char* dest, const char* src);
char* mica_host_strncpy(char* dest, const char* src, size_t n);
size_t mica_host_strlcpy(char* dest, const char* src, size_t size);
size_t mica_host_strlcat(char* dest, const char* src, size_t size);
char* mica_host_strcat(char* dest, const char* src);
char* mica_host_strncat(char* dest, const char* src, size_t n);
char* mica_host_strchr(const char* s, int c);
char* mica_host_strrchr(const char* s, int c);
char* mica_host_strstr(const char* haystack, const char* needle);
size_t mica_host_strspn(const char* s, const char* accept);
size_t mica_host_strcspn(const char* s, const char* reject);
char* mica_host_strpbrk(const char* s, const char* accept);
char* mica_host_strtok_r(char* s, const char* delim, char** save);
char* mica_host_strdup(const char* s);
char* mica_host_strndup(const char* s, size_t n);
int mica_host_isspace(int c);
int mica_host_isxdigit(int c);
int mica_host_ispunct(int c);
int mica_host_toupper(int c);
int mica_host_tolower(int c);

long mica_host_strtol(const char* s, char** end, int base);
long long mica_host_strtoll(const char* s, char** end, int base);
unsigned long mica_host_strtoul(const char* s, char** end, int base);
unsigned long long mica_host_strtoull(const char* s, char** end, int base);
int mica_host_atoi(const char* s);

void mica_host_qsort(void* base, size_t count, size_t size,
                     int (*compare)(const void*, const void*));
void* mica_host_bsearch(const void* key, const void* base, size_t count, size_t size,
                        int (*compare)(const void*, const void*));

void* mica_host_malloc(size_t size);
void mica_host_free(void* p);
void* mica_host_calloc(size_t count, size_t size);
void* mica_host_realloc(void* p, size_t size);
void* mica_host_aligned_alloc(size_t alignment, size_t size);
int mica_host_posix_memalign(void** out, size_t alignment, size_t size);

int mica_host_snprintf(char* buffer, size_t size, const char* format, ...);
int mica_host_vsnprintf(char* buffer, size_t size, const char* format, va_list args);
int mica_host_sprintf(char* buffer, const char* format, ...);

// x86_64 only: the target's setjmp_x86_64.S is also the host's ABI.
typedef unsigned long mica_host_jmp_buf[8];
int mica_host_setjmp(mica_host_jmp_buf env) __attribute__((returns_twice));
__attribute__((noreturn)) void mica_host_longjmp(mica_host_jmp_buf env, int value);

// The libc's errno (host_support.c).
int* __mica_errno_location(void);

}  // extern "C"
