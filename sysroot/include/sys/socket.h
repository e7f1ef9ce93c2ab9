// <sys/socket.h>: sockets (Unix domain for now).
#pragma once

#include <stddef.h>

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t socklen_t;
typedef uint16_t sa_family_t;

struct sockaddr {
  sa_family_t sa_family;
  char sa_data[14];
};

#define AF_UNSPEC 0
#define AF_UNIX 1
#define AF_LOCAL AF_UNIX
#define PF_UNIX AF_UNIX
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_SEQPACKET 5
#define SOCK_NONBLOCK 04000
#define SOCK_CLOEXEC 02000000
#define SHUT_RD 0
#define SHUT_WR 1
#define SHUT_RDWR 2
#define MSG_PEEK 0x2  // not supported: EOPNOTSUPP
#define MSG_DONTWAIT 0x40
#define MSG_WAITALL 0x100
#define MSG_NOSIGNAL 0x4000  // accepted; mica has no SIGPIPE

// AF_UNIX only, SOCK_STREAM and SOCK_DGRAM (SOCK_NONBLOCK allowed); a
// socket is a file descriptor like any other (read, write, poll, dup, close,
// inherited by spawned children). Names are the kernel's socket namespace,
// not file-system nodes; accept and recvfrom report an unnamed peer.
// shutdown fails with EOPNOTSUPP (no half-close yet).
int socket(int domain, int type, int protocol);
int socketpair(int domain, int type, int protocol, int fds[2]);
int bind(int fd, const struct sockaddr* address, socklen_t length);
int listen(int fd, int backlog);
int accept(int fd, struct sockaddr* __restrict address, socklen_t* __restrict length);
int accept4(int fd, struct sockaddr* __restrict address, socklen_t* __restrict length, int flags);
int connect(int fd, const struct sockaddr* address, socklen_t length);
ssize_t send(int fd, const void* data, size_t size, int flags);
ssize_t recv(int fd, void* buffer, size_t size, int flags);
ssize_t sendto(int fd, const void* data, size_t size, int flags, const struct sockaddr* address,
               socklen_t length);
ssize_t recvfrom(int fd, void* __restrict buffer, size_t size, int flags,
                 struct sockaddr* __restrict address, socklen_t* __restrict length);
int shutdown(int fd, int how);

#ifdef __cplusplus
}
#endif
