// <string.h>: memory and string functions.
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

void* memcpy(void* __restrict dest, const void* __restrict src, size_t n);
void* memmove(void* dest, const void* src, size_t n);
void* memset(void* dest, int c, size_t n);
int memcmp(const void* a, const void* b, size_t n);
void* memchr(const void* s, int c, size_t n);
void* memrchr(const void* s, int c, size_t n);

size_t strlen(const char* s);
size_t strnlen(const char* s, size_t max);
int strcmp(const char* a, const char* b);
int strncmp(const char* a, const char* b, size_t n);
int strcoll(const char* a, const char* b);
char* strcpy(char* __restrict dest, const char* __restrict src);
char* strncpy(char* __restrict dest, const char* __restrict src, size_t n);
char* stpcpy(char* __restrict dest, const char* __restrict src);
size_t strlcpy(char* __restrict dest, const char* __restrict src, size_t size);
size_t strlcat(char* __restrict dest, const char* __restrict src, size_t size);
char* strcat(char* __restrict dest, const char* __restrict src);
char* strncat(char* __restrict dest, const char* __restrict src, size_t n);
char* strchr(const char* s, int c);
char* strrchr(const char* s, int c);
char* strstr(const char* haystack, const char* needle);
size_t strspn(const char* s, const char* accept);
size_t strcspn(const char* s, const char* reject);
char* strpbrk(const char* s, const char* accept);
char* strtok(char* __restrict s, const char* __restrict delim);
char* strtok_r(char* __restrict s, const char* __restrict delim, char** __restrict save);
char* strdup(const char* s);
char* strndup(const char* s, size_t n);
char* strerror(int error);

#ifdef __cplusplus
}
#endif
