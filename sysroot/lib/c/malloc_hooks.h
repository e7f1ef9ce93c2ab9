// libc-internal: where malloc gets its memory. The default source maps
// anonymous pages (MICA_SYS_VM_ALLOCATE); host unit tests plug in their own.
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct mica_page_source {
  // Returns `bytes` (a multiple of MICA_PAGE_SIZE) of zeroed, page-aligned,
  // writable memory, or NULL when memory is exhausted.
  void* (*allocate)(size_t bytes, void* context);
  // Gives back what allocate returned (or a page-aligned tail of it).
  void (*release)(void* pages, size_t bytes, void* context);
  void* context;
};

// Replaces the page source. Only before the first allocation, or after
// every allocation has been freed (the host tests call it between tests).
void __mica_malloc_set_page_source(const struct mica_page_source* source);

// Forgets every small-block page (they are not given back): host tests only,
// paired with a fresh page source.
void __mica_malloc_reset(void);

#ifdef __cplusplus
}
#endif
