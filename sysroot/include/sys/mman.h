// <sys/mman.h>: anonymous memory mappings.
#pragma once

#include <stddef.h>

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PROT_NONE 0
#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4
#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_ANON MAP_ANONYMOUS
#define MAP_FAILED ((void*)-1)

// Only MAP_ANONYMOUS mappings for now (anything else: ENOSYS).
void* mmap(void* address, size_t size, int prot, int flags, int fd, off_t offset);
int munmap(void* address, size_t size);
int mprotect(void* address, size_t size, int prot);

#ifdef __cplusplus
}
#endif
