// Anonymous memory mappings on MICA_SYS_VM_*.
#include <errno.h>
#include <mica/calls.h>
#include <sys/mman.h>

#include "libc_internal.h"

static uint32_t mica_prot(int prot) {
  return ((prot & PROT_READ) ? MICA_PROT_READ : 0u) | ((prot & PROT_WRITE) ? MICA_PROT_WRITE : 0u) |
         ((prot & PROT_EXEC) ? MICA_PROT_EXEC : 0u);
}

static size_t page_round(size_t size) {
  return (size + MICA_PAGE_SIZE - 1) & ~(size_t)(MICA_PAGE_SIZE - 1);
}

void* mmap(void* address, size_t size, int prot, int flags, int fd, off_t offset) {
  if (!(flags & MAP_ANONYMOUS)) {
    errno = ENOSYS;  // TODO(issue 6): file mappings through the router
    return MAP_FAILED;
  }
  if (size == 0 || ((uintptr_t)address & (MICA_PAGE_SIZE - 1))) {
    errno = EINVAL;
    return MAP_FAILED;
  }
  uintptr_t result;
  int status = mica_vm_allocate(MICA_HANDLE_SELF, (uintptr_t)address, page_round(size),
                                mica_prot(prot), (flags & MAP_FIXED) ? MICA_VM_FIXED : 0, &result);
  if (status < 0) {
    errno = -status;
    return MAP_FAILED;
  }
  return (void*)result;
}

int munmap(void* address, size_t size) {
  return (int)__mica_result(mica_vm_free(MICA_HANDLE_SELF, (uintptr_t)address, page_round(size)));
}

int mprotect(void* address, size_t size, int prot) {
  return (int)__mica_result(
      mica_vm_protect(MICA_HANDLE_SELF, (uintptr_t)address, page_round(size), mica_prot(prot)));
}
