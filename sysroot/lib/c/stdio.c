// Buffered streams over file descriptors. stdout is line-buffered, stderr
// unbuffered, stdin fully buffered. Each stream has a spinlock.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

#include "format.h"
#include "libc_internal.h"

#define FILE_READ 1u
#define FILE_WRITE 2u
#define FILE_EOF 4u
#define FILE_ERROR 8u
#define FILE_OWNS_BUFFER 16u
#define FILE_STATIC 32u

struct __mica_file {
  int fd;
  int mode;  // _IOFBF, _IOLBF, _IONBF
  unsigned flags;
  char* buffer;
  size_t size;
  size_t pending;   // output bytes waiting in buffer
  size_t read_pos;  // input: next byte in buffer
  size_t read_end;  // input: bytes in buffer
  int unget;        // a pushed-back byte, or EOF
  volatile int lock;
  struct __mica_file* next;  // every open stream
};

static char stdin_buffer[BUFSIZ];
static char stdout_buffer[BUFSIZ];

static struct __mica_file files[3] = {
    {0, _IOFBF, FILE_READ | FILE_STATIC, stdin_buffer, BUFSIZ, 0, 0, 0, EOF, 0, &files[1]},
    {1, _IOLBF, FILE_WRITE | FILE_STATIC, stdout_buffer, BUFSIZ, 0, 0, 0, EOF, 0, &files[2]},
    {2, _IONBF, FILE_WRITE | FILE_STATIC, NULL, 0, 0, 0, 0, EOF, 0, NULL},
};

FILE* const stdin = &files[0];
FILE* const stdout = &files[1];
FILE* const stderr = &files[2];

static FILE* open_files = &files[0];
static volatile int list_lock;

static void lock_word(volatile int* word) {
  while (__atomic_exchange_n(word, 1, __ATOMIC_ACQUIRE)) {
  }
}

static void unlock_word(volatile int* word) {
  __atomic_store_n(word, 0, __ATOMIC_RELEASE);
}

// Writes all of data to the fd; false on error.
static bool write_all(FILE* f, const char* data, size_t n) {
  while (n) {
    ssize_t r = write(f->fd, data, n);
    if (r <= 0) {
      f->flags |= FILE_ERROR;
      return false;
    }
    data += r;
    n -= (size_t)r;
  }
  return true;
}

static bool flush_locked(FILE* f) {
  if (f->pending == 0) {
    return true;
  }
  size_t n = f->pending;
  f->pending = 0;
  return write_all(f, f->buffer, n);
}

// Appends output under the stream's lock.
static bool put_locked(FILE* f, const char* data, size_t n) {
  if (!(f->flags & FILE_WRITE)) {
    f->flags |= FILE_ERROR;
    return false;
  }
  if (f->mode == _IONBF || !f->buffer) {
    return write_all(f, data, n);
  }
  bool flush_line = f->mode == _IOLBF && memchr(data, '\n', n) != NULL;
  if (n > f->size - f->pending) {
    if (!flush_locked(f)) {
      return false;
    }
    if (n >= f->size) {
      return write_all(f, data, n);
    }
  }
  memcpy(f->buffer + f->pending, data, n);
  f->pending += n;
  return flush_line ? flush_locked(f) : true;
}

static void file_sink(void* context, const char* text, size_t n) {
  put_locked(context, text, n);
}

int vfprintf(FILE* __restrict f, const char* __restrict format, va_list args) {
  lock_word(&f->lock);
  unsigned errors_before = f->flags & FILE_ERROR;
  f->flags &= ~FILE_ERROR;
  int n = __mica_vformat(file_sink, f, format, args);
  bool failed = f->flags & FILE_ERROR;
  f->flags |= errors_before;
  unlock_word(&f->lock);
  return failed ? -1 : n;
}

int fprintf(FILE* __restrict f, const char* __restrict format, ...) {
  va_list args;
  va_start(args, format);
  int n = vfprintf(f, format, args);
  va_end(args);
  return n;
}

int vprintf(const char* __restrict format, va_list args) {
  return vfprintf(stdout, format, args);
}

int printf(const char* __restrict format, ...) {
  va_list args;
  va_start(args, format);
  int n = vfprintf(stdout, format, args);
  va_end(args);
  return n;
}

static void fd_sink(void* context, const char* text, size_t n) {
  int fd = *(int*)context;
  while (n) {
    ssize_t r = write(fd, text, n);
    if (r <= 0) {
      return;
    }
    text += r;
    n -= (size_t)r;
  }
}

int vdprintf(int fd, const char* __restrict format, va_list args) {
  return __mica_vformat(fd_sink, &fd, format, args);
}

int dprintf(int fd, const char* __restrict format, ...) {
  va_list args;
  va_start(args, format);
  int n = vdprintf(fd, format, args);
  va_end(args);
  return n;
}

size_t fwrite(const void* __restrict data, size_t size, size_t count, FILE* __restrict f) {
  size_t total;
  if (size == 0 || count == 0 || __builtin_mul_overflow(size, count, &total)) {
    return 0;
  }
  lock_word(&f->lock);
  bool ok = put_locked(f, data, total);
  unlock_word(&f->lock);
  return ok ? count : 0;
}

int fputc(int c, FILE* f) {
  char ch = (char)c;
  return fwrite(&ch, 1, 1, f) == 1 ? (unsigned char)ch : EOF;
}

int putc(int c, FILE* f) {
  return fputc(c, f);
}
int putchar(int c) {
  return fputc(c, stdout);
}

int fputs(const char* __restrict s, FILE* __restrict f) {
  size_t n = strlen(s);
  return n == 0 || fwrite(s, n, 1, f) == 1 ? 0 : EOF;
}

int puts(const char* s) {
  lock_word(&stdout->lock);
  bool ok = put_locked(stdout, s, strlen(s)) && put_locked(stdout, "\n", 1);
  unlock_word(&stdout->lock);
  return ok ? 0 : EOF;
}

// ---- Input ----

// Returns the next byte or EOF; the stream's lock is held.
static int get_locked(FILE* f) {
  if (f->unget != EOF) {
    int c = f->unget;
    f->unget = EOF;
    return c;
  }
  if (!(f->flags & FILE_READ)) {
    f->flags |= FILE_ERROR;
    return EOF;
  }
  if (f->read_pos == f->read_end) {
    // Output to the terminal first, as a prompt would want.
    if (f == stdin) {
      lock_word(&stdout->lock);
      flush_locked(stdout);
      unlock_word(&stdout->lock);
    }
    char single;
    char* into = f->buffer ? f->buffer : &single;
    size_t room = f->buffer ? f->size : 1;
    ssize_t r = read(f->fd, into, room);
    if (r <= 0) {
      f->flags |= r == 0 ? FILE_EOF : FILE_ERROR;
      return EOF;
    }
    if (!f->buffer) {
      return (unsigned char)single;
    }
    f->read_pos = 0;
    f->read_end = (size_t)r;
  }
  return (unsigned char)f->buffer[f->read_pos++];
}

int fgetc(FILE* f) {
  lock_word(&f->lock);
  int c = get_locked(f);
  unlock_word(&f->lock);
  return c;
}

int getc(FILE* f) {
  return fgetc(f);
}
int getchar(void) {
  return fgetc(stdin);
}

int ungetc(int c, FILE* f) {
  if (c == EOF) {
    return EOF;
  }
  lock_word(&f->lock);
  int result = EOF;
  if (f->unget == EOF) {
    f->unget = (unsigned char)c;
    f->flags &= ~FILE_EOF;
    result = (unsigned char)c;
  }
  unlock_word(&f->lock);
  return result;
}

char* fgets(char* __restrict buffer, int size, FILE* __restrict f) {
  if (size <= 0) {
    return NULL;
  }
  lock_word(&f->lock);
  int n = 0;
  while (n < size - 1) {
    int c = get_locked(f);
    if (c == EOF) {
      break;
    }
    buffer[n++] = (char)c;
    if (c == '\n') {
      break;
    }
  }
  unlock_word(&f->lock);
  if (n == 0) {
    return NULL;
  }
  buffer[n] = 0;
  return buffer;
}

size_t fread(void* __restrict data, size_t size, size_t count, FILE* __restrict f) {
  size_t total;
  if (size == 0 || count == 0 || __builtin_mul_overflow(size, count, &total)) {
    return 0;
  }
  char* out = data;
  size_t n = 0;
  lock_word(&f->lock);
  while (n < total) {
    int c = get_locked(f);
    if (c == EOF) {
      break;
    }
    out[n++] = (char)c;
  }
  unlock_word(&f->lock);
  return n / size;
}

// ---- Streams ----

int fflush(FILE* f) {
  if (!f) {
    __mica_stdio_flush_all();
    return 0;
  }
  lock_word(&f->lock);
  bool ok = flush_locked(f);
  unlock_word(&f->lock);
  return ok ? 0 : EOF;
}

void __mica_stdio_flush_all(void) {
  lock_word(&list_lock);
  for (FILE* f = open_files; f; f = f->next) {
    lock_word(&f->lock);
    flush_locked(f);
    unlock_word(&f->lock);
  }
  unlock_word(&list_lock);
}

int setvbuf(FILE* __restrict f, char* __restrict buffer, int mode, size_t size) {
  if (mode != _IOFBF && mode != _IOLBF && mode != _IONBF) {
    return -1;
  }
  lock_word(&f->lock);
  flush_locked(f);
  f->mode = mode;
  if (buffer && size) {
    if (f->flags & FILE_OWNS_BUFFER) {
      free(f->buffer);
      f->flags &= ~FILE_OWNS_BUFFER;
    }
    f->buffer = buffer;
    f->size = size;
  }
  f->read_pos = f->read_end = 0;
  unlock_word(&f->lock);
  return 0;
}

static int parse_mode(const char* mode, unsigned* flags) {
  int open_flags;
  switch (mode[0]) {
    case 'r':
      open_flags = O_RDONLY;
      *flags = FILE_READ;
      break;
    case 'w':
      open_flags = O_WRONLY | O_CREAT | O_TRUNC;
      *flags = FILE_WRITE;
      break;
    case 'a':
      open_flags = O_WRONLY | O_CREAT | O_APPEND;
      *flags = FILE_WRITE;
      break;
    default:
      return -1;
  }
  if (strchr(mode, '+')) {
    open_flags = (open_flags & ~O_ACCMODE) | O_RDWR;
    *flags = FILE_READ | FILE_WRITE;
  }
  return open_flags;
}

FILE* fdopen(int fd, const char* mode) {
  unsigned flags;
  if (parse_mode(mode, &flags) < 0) {
    errno = EINVAL;
    return NULL;
  }
  FILE* f = calloc(1, sizeof(FILE));
  char* buffer = malloc(BUFSIZ);
  if (!f || !buffer) {
    free(f);
    free(buffer);
    return NULL;
  }
  f->fd = fd;
  f->mode = _IOFBF;
  f->flags = flags | FILE_OWNS_BUFFER;
  f->buffer = buffer;
  f->size = BUFSIZ;
  f->unget = EOF;
  lock_word(&list_lock);
  f->next = open_files;
  open_files = f;
  unlock_word(&list_lock);
  return f;
}

FILE* fopen(const char* __restrict path, const char* __restrict mode) {
  unsigned flags;
  int open_flags = parse_mode(mode, &flags);
  if (open_flags < 0) {
    errno = EINVAL;
    return NULL;
  }
  int fd = open(path, open_flags, 0666);
  if (fd < 0) {
    return NULL;
  }
  FILE* f = fdopen(fd, mode);
  if (!f) {
    close(fd);
  }
  return f;
}

int fclose(FILE* f) {
  int result = fflush(f);
  if (f->flags & FILE_STATIC) {
    return result;
  }
  lock_word(&list_lock);
  for (FILE** link = &open_files; *link; link = &(*link)->next) {
    if (*link == f) {
      *link = f->next;
      break;
    }
  }
  unlock_word(&list_lock);
  if (close(f->fd) < 0) {
    result = EOF;
  }
  if (f->flags & FILE_OWNS_BUFFER) {
    free(f->buffer);
  }
  free(f);
  return result;
}

int fseek(FILE* f, long offset, int whence) {
  lock_word(&f->lock);
  bool ok = flush_locked(f);
  if (ok && whence == SEEK_CUR) {
    offset -= (long)(f->read_end - f->read_pos) + (f->unget != EOF);
  }
  f->read_pos = f->read_end = 0;
  f->unget = EOF;
  f->flags &= ~FILE_EOF;
  unlock_word(&f->lock);
  return ok && lseek(f->fd, offset, whence) >= 0 ? 0 : -1;
}

long ftell(FILE* f) {
  lock_word(&f->lock);
  long buffered = (long)f->pending - (long)(f->read_end - f->read_pos) - (f->unget != EOF);
  unlock_word(&f->lock);
  off_t position = lseek(f->fd, 0, SEEK_CUR);
  return position < 0 ? -1 : (long)position + buffered;
}

int feof(FILE* f) {
  return (f->flags & FILE_EOF) != 0;
}
int ferror(FILE* f) {
  return (f->flags & FILE_ERROR) != 0;
}
void clearerr(FILE* f) {
  f->flags &= ~(FILE_EOF | FILE_ERROR);
}
int fileno(FILE* f) {
  return f->fd;
}

void perror(const char* prefix) {
  const char* message = strerror(errno);
  if (prefix && *prefix) {
    fprintf(stderr, "%s: %s\n", prefix, message);
  } else {
    fprintf(stderr, "%s\n", message);
  }
}

int remove(const char* path) {
  return unlink(path);
}
