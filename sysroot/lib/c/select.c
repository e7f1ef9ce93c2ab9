// select() as poll(): one pollfd per descriptor in any set.
#include <errno.h>
#include <poll.h>
#include <sys/select.h>

#include "libc_internal.h"

int select(int count, fd_set* read_set, fd_set* write_set, fd_set* error_set,
           struct timeval* timeout) {
  if (count < 0 || count > FD_SETSIZE) {
    return (int)__mica_result(-EINVAL);
  }
  int timeout_ms = -1;
  if (timeout) {
    if (timeout->tv_sec < 0 || timeout->tv_usec < 0 || timeout->tv_usec >= 1000000) {
      return (int)__mica_result(-EINVAL);
    }
    int64_t ms = timeout->tv_sec * 1000 + (timeout->tv_usec + 999) / 1000;
    timeout_ms = ms > 0x7fffffff ? 0x7fffffff : (int)ms;
  }
  struct pollfd fds[FD_SETSIZE];
  nfds_t n = 0;
  for (int fd = 0; fd < count; fd++) {
    short events = 0;
    if (read_set && FD_ISSET(fd, read_set)) {
      events |= POLLIN;
    }
    if (write_set && FD_ISSET(fd, write_set)) {
      events |= POLLOUT;
    }
    if (events || (error_set && FD_ISSET(fd, error_set))) {
      fds[n].fd = fd;
      fds[n].events = events;
      fds[n].revents = 0;
      n++;
    }
  }
  int r = poll(fds, n, timeout_ms);
  if (r < 0) {
    return -1;
  }
  int ready = 0;
  for (nfds_t i = 0; i < n; i++) {
    if (fds[i].revents & POLLNVAL) {
      return (int)__mica_result(-EBADF);
    }
  }
  // Rebuilt from the answers: end of file and errors make a descriptor
  // readable and writable (a read or write then returns at once), and mica
  // has no out-of-band data, so the error set comes back empty.
  if (read_set) {
    FD_ZERO(read_set);
  }
  if (write_set) {
    FD_ZERO(write_set);
  }
  if (error_set) {
    FD_ZERO(error_set);
  }
  for (nfds_t i = 0; i < n; i++) {
    short got = fds[i].revents;
    short asked = fds[i].events;
    if ((asked & POLLIN) && (got & (POLLIN | POLLHUP | POLLERR))) {
      FD_SET(fds[i].fd, read_set);
      ready++;
    }
    if ((asked & POLLOUT) && (got & (POLLOUT | POLLHUP | POLLERR))) {
      FD_SET(fds[i].fd, write_set);
      ready++;
    }
  }
  return ready;
}
