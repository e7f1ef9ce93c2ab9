// <stdio.h>: formatted output and buffered streams over file descriptors.
// stdout is line-buffered, stderr unbuffered, stdin buffered.
#pragma once

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct __mica_file FILE;
typedef long long fpos_t;

#define EOF (-1)
#define BUFSIZ 1024
#define _IOFBF 0
#define _IOLBF 1
#define _IONBF 2
#ifndef SEEK_SET
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#endif

extern FILE* const stdin;
extern FILE* const stdout;
extern FILE* const stderr;

// Formatting: %d %i %u %x %X %o %c %s %p %% %n-less; flags "-+ #0", width and
// precision (also '*'), lengths hh h l ll z j t.
int printf(const char* __restrict format, ...) __attribute__((format(printf, 1, 2)));
int fprintf(FILE* __restrict stream, const char* __restrict format, ...)
    __attribute__((format(printf, 2, 3)));
int dprintf(int fd, const char* __restrict format, ...) __attribute__((format(printf, 2, 3)));
int sprintf(char* __restrict buffer, const char* __restrict format, ...)
    __attribute__((format(printf, 2, 3)));
int snprintf(char* __restrict buffer, size_t size, const char* __restrict format, ...)
    __attribute__((format(printf, 3, 4)));
int vprintf(const char* __restrict format, va_list args);
int vfprintf(FILE* __restrict stream, const char* __restrict format, va_list args);
int vdprintf(int fd, const char* __restrict format, va_list args);
int vsprintf(char* __restrict buffer, const char* __restrict format, va_list args);
int vsnprintf(char* __restrict buffer, size_t size, const char* __restrict format, va_list args);

int fputc(int c, FILE* stream);
int putc(int c, FILE* stream);
int putchar(int c);
int fputs(const char* __restrict s, FILE* __restrict stream);
int puts(const char* s);
size_t fwrite(const void* __restrict data, size_t size, size_t count, FILE* __restrict stream);

int fgetc(FILE* stream);
int getc(FILE* stream);
int getchar(void);
int ungetc(int c, FILE* stream);
char* fgets(char* __restrict buffer, int size, FILE* __restrict stream);
size_t fread(void* __restrict data, size_t size, size_t count, FILE* __restrict stream);

FILE* fopen(const char* __restrict path, const char* __restrict mode);
FILE* fdopen(int fd, const char* mode);
int fclose(FILE* stream);
int fflush(FILE* stream);  // NULL: every open stream
int setvbuf(FILE* __restrict stream, char* __restrict buffer, int mode, size_t size);
int fseek(FILE* stream, long offset, int whence);
long ftell(FILE* stream);
int feof(FILE* stream);
int ferror(FILE* stream);
void clearerr(FILE* stream);
int fileno(FILE* stream);
void perror(const char* prefix);
int remove(const char* path);
int rename(const char* from, const char* to);

#ifdef __cplusplus
}
#endif
