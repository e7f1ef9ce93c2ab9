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
#define MSG_DONTWAIT 0x40
#define MSG_NOSIGNAL 0x4000

int socket(int domain, int type, int protocol);
int bind(int fd, const struct sockaddr* address, socklen_t length);
int listen(int fd, int backlog);
int accept(int fd, struct sockaddr* __restrict address, socklen_t* __restrict length);
int connect(int fd, const struct sockaddr* address, socklen_t length);
ssize_t send(int fd, const void* data, size_t size, int flags);
ssize_t recv(int fd, void* buffer, size_t size, int flags);
int shutdown(int fd, int how);

#ifdef __cplusplus
}
#endif
