// <unistd.h>: POSIX file and process calls.
#pragma once

#include <stddef.h>

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STDIN_FILENO 0
#define STDOUT_FILENO 1
#define STDERR_FILENO 2
#ifndef SEEK_SET
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#endif
#define F_OK 0
#define X_OK 1
#define W_OK 2
#define R_OK 4

ssize_t read(int fd, void* buffer, size_t size);
ssize_t write(int fd, const void* data, size_t size);
int close(int fd);
off_t lseek(int fd, off_t offset, int whence);
// Sets the size of a file open for writing (fd), or named by path: cut, or
// grown with zeros. Devices keep their size.
int ftruncate(int fd, off_t length);
int truncate(const char* path, off_t length);
int dup(int fd);
int dup2(int fd, int new_fd);
int pipe(int fds[2]);
int unlink(const char* path);
// The target of symbolic link `path`, not NUL-terminated, cut to `size`.
ssize_t readlink(const char* __restrict path, char* __restrict buffer, size_t size);
int symlink(const char* target, const char* path);
int link(const char* existing, const char* path);
int rmdir(const char* path);
int chdir(const char* path);
char* getcwd(char* buffer, size_t size);
int access(const char* path, int mode);
int isatty(int fd);
pid_t getpid(void);
pid_t getppid(void);
unsigned sleep(unsigned seconds);
int usleep(useconds_t microseconds);
int brk(void* end);
void* sbrk(intptr_t increment);
__attribute__((noreturn)) void _exit(int code);

#ifdef __cplusplus
}
#endif
