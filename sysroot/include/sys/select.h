// <sys/select.h>: select() over poll(): descriptors below FD_SETSIZE (the
// VFS's table size), any mix of files, pipes, sockets and the console.
#pragma once

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FD_SETSIZE 64

typedef struct {
  unsigned long bits[FD_SETSIZE / (8 * sizeof(unsigned long))];
} fd_set;

#define __MICA_FD_WORD(fd) ((unsigned)(fd) / (8 * sizeof(unsigned long)))
#define __MICA_FD_BIT(fd) (1ul << ((unsigned)(fd) % (8 * sizeof(unsigned long))))
#define FD_ZERO(set) __builtin_memset((set), 0, sizeof(fd_set))
#define FD_SET(fd, set) ((set)->bits[__MICA_FD_WORD(fd)] |= __MICA_FD_BIT(fd))
#define FD_CLR(fd, set) ((set)->bits[__MICA_FD_WORD(fd)] &= ~__MICA_FD_BIT(fd))
#define FD_ISSET(fd, set) (((set)->bits[__MICA_FD_WORD(fd)] & __MICA_FD_BIT(fd)) != 0)

#ifndef __MICA_TIMEVAL
#define __MICA_TIMEVAL
struct timeval {
  time_t tv_sec;
  suseconds_t tv_usec;
};
#endif

// Waits until a descriptor of the sets is ready or `timeout` passed (NULL:
// no limit); the sets then hold the ready ones. Returns how many bits are
// set, 0 on timeout, or -1 and errno (EBADF for a closed descriptor in a
// set, EINVAL for count > FD_SETSIZE or a bad timeout).
int select(int count, fd_set* read_set, fd_set* write_set, fd_set* error_set,
           struct timeval* timeout);

#ifdef __cplusplus
}
#endif
