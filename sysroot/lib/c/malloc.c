// malloc: size classes for small blocks, whole pages for the rest.
//
// Every block has a page header at (pointer - 1) rounded down to a page:
//  - a small page holds blocks of one size class (16..1024 bytes) after its
//    16-byte header; freed blocks go onto their class's free list (pages are
//    kept for reuse);
//  - a large allocation is a run of pages from the page source with the
//    header at its start; the block begins max(32, alignment) bytes in, and
//    free gives the pages back at once.
// (A small block is never at its page's start, a large one at most a page
// past its header, so the rounding finds the header for both.)
// Blocks are 16-byte aligned. One spinlock guards everything.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <stdbool.h>

#include "malloc_hooks.h"

#define PAGE 4096u
#define HEADER 16u        // small pages: magic and class
#define LARGE_HEADER 32u  // large runs: the whole page_header
#define MIN_ALIGN 16u
#define SMALL_MAGIC 0x6d616c73u  // "mals"
#define LARGE_MAGIC 0x6d616c6cu  // "mall"

static const uint16_t kClassSizes[] = {16,  32,  48,  64,  80,  96,  128, 160,
                                       192, 256, 320, 384, 512, 640, 768, 1024};
#define CLASS_COUNT (sizeof(kClassSizes) / sizeof(kClassSizes[0]))
#define SMALL_MAX 1024u

struct page_header {
  uint32_t magic;
  uint32_t class_index;  // small pages
  // Large: the run of pages holding the block (the header is at its start
  // unless the alignment was above a page).
  uintptr_t run_start;
  size_t run_bytes;
  size_t usable;  // large: bytes usable from the block's start
};
_Static_assert(sizeof(struct page_header) <= LARGE_HEADER, "page header too big");

struct free_block {
  struct free_block* next;
};

static struct free_block* free_lists[CLASS_COUNT];
static volatile int lock_word;
static bool source_set;
static struct mica_page_source source;

static void lock(void) {
  while (__atomic_exchange_n(&lock_word, 1, __ATOMIC_ACQUIRE)) {
    while (__atomic_load_n(&lock_word, __ATOMIC_RELAXED)) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
  }
}

static void unlock(void) {
  __atomic_store_n(&lock_word, 0, __ATOMIC_RELEASE);
}

#ifndef MICA_LIBC_HOST_TEST
#include <mica/calls.h>

static void* vm_allocate(size_t bytes, void* context) {
  uintptr_t address;
  if (mica_vm_allocate(MICA_HANDLE_SELF, 0, bytes, MICA_PROT_READ | MICA_PROT_WRITE, 0, &address) <
      0) {
    return NULL;
  }
  return (void*)address;
}

static void vm_release(void* pages, size_t bytes, void* context) {
  mica_vm_free(MICA_HANDLE_SELF, (uintptr_t)pages, bytes);
}

static const struct mica_page_source kDefaultSource = {vm_allocate, vm_release, NULL};
#endif

void __mica_malloc_set_page_source(const struct mica_page_source* new_source) {
  lock();
  source = *new_source;
  source_set = true;
  unlock();
}

void __mica_malloc_reset(void) {
  lock();
  for (size_t i = 0; i < CLASS_COUNT; i++) {
    free_lists[i] = NULL;
  }
  unlock();
}

// Called with the lock held.
static void* pages_allocate(size_t bytes) {
  if (!source_set) {
#ifdef MICA_LIBC_HOST_TEST
    return NULL;
#else
    source = kDefaultSource;
    source_set = true;
#endif
  }
  return source.allocate(bytes, source.context);
}

static void pages_release(void* pages, size_t bytes) {
  source.release(pages, bytes, source.context);
}

static struct page_header* header_of(void* pointer) {
  return (struct page_header*)(((uintptr_t)pointer - 1) & ~(uintptr_t)(PAGE - 1));
}

__attribute__((noreturn)) static void corrupt(void) {
  abort();
}

static void* small_allocate(unsigned class_index) {
  struct free_block* block = free_lists[class_index];
  if (!block) {
    struct page_header* page = pages_allocate(PAGE);
    if (!page) {
      return NULL;
    }
    page->magic = SMALL_MAGIC;
    page->class_index = class_index;
    size_t size = kClassSizes[class_index];
    // Thread the page's blocks onto the free list, lowest address first.
    char* first = (char*)page + HEADER;
    size_t count = (PAGE - HEADER) / size;
    for (size_t i = count; i-- > 0;) {
      struct free_block* b = (struct free_block*)(first + i * size);
      b->next = free_lists[class_index];
      free_lists[class_index] = b;
    }
    block = free_lists[class_index];
  }
  free_lists[class_index] = block->next;
  return block;
}

// A page run for `size` bytes aligned to `alignment` (a power of two).
static void* large_allocate(size_t size, size_t alignment) {
  size_t offset = alignment > LARGE_HEADER ? alignment : LARGE_HEADER;
  size_t slack = 0;
  if (offset > PAGE) {
    // The header goes in the page just below the aligned block.
    slack = alignment;
    offset = PAGE;
  }
  if (size > SIZE_MAX - offset - slack - PAGE) {
    return NULL;
  }
  size_t run_bytes = (offset + slack + size + PAGE - 1) & ~(size_t)(PAGE - 1);
  char* run = pages_allocate(run_bytes);
  if (!run) {
    return NULL;
  }
  char* block = run + offset;
  if (slack) {
    block = (char*)(((uintptr_t)run + PAGE + alignment - 1) & ~(uintptr_t)(alignment - 1));
  }
  struct page_header* header = header_of(block);
  header->magic = LARGE_MAGIC;
  header->run_start = (uintptr_t)run;
  header->run_bytes = run_bytes;
  header->usable = (size_t)(run + run_bytes - block);
  return block;
}

static int class_for(size_t size) {
  for (unsigned i = 0; i < CLASS_COUNT; i++) {
    if (size <= kClassSizes[i]) {
      return (int)i;
    }
  }
  return -1;
}

static void* allocate(size_t size, size_t alignment) {
  if (size == 0) {
    size = 1;
  }
  void* result;
  lock();
  if (alignment <= MIN_ALIGN && size <= SMALL_MAX) {
    result = small_allocate((unsigned)class_for(size));
  } else {
    result = large_allocate(size, alignment);
  }
  unlock();
  if (!result) {
    errno = ENOMEM;
  }
  return result;
}

// Bytes usable at `pointer` (checks the header).
static size_t usable_size(void* pointer) {
  struct page_header* header = header_of(pointer);
  if (header->magic == SMALL_MAGIC && header->class_index < CLASS_COUNT) {
    return kClassSizes[header->class_index];
  }
  if (header->magic == LARGE_MAGIC) {
    return header->usable;
  }
  corrupt();
}

void* malloc(size_t size) {
  return allocate(size, MIN_ALIGN);
}

void free(void* pointer) {
  if (!pointer) {
    return;
  }
  struct page_header* header = header_of(pointer);
  lock();
  if (header->magic == SMALL_MAGIC && header->class_index < CLASS_COUNT) {
    struct free_block* block = pointer;
    block->next = free_lists[header->class_index];
    free_lists[header->class_index] = block;
  } else if (header->magic == LARGE_MAGIC) {
    header->magic = 0;
    pages_release((void*)header->run_start, header->run_bytes);
  } else {
    unlock();
    corrupt();
  }
  unlock();
}

void* calloc(size_t count, size_t size) {
  size_t total;
  if (__builtin_mul_overflow(count, size, &total)) {
    errno = ENOMEM;
    return NULL;
  }
  void* p = malloc(total);
  if (p) {
    memset(p, 0, total);
  }
  return p;
}

void* realloc(void* pointer, size_t size) {
  if (!pointer) {
    return malloc(size);
  }
  if (size == 0) {
    free(pointer);
    return NULL;
  }
  size_t usable = usable_size(pointer);
  // Keep the block while the new size fits and does not waste most of it.
  if (size <= usable && (usable <= SMALL_MAX || size > usable / 2)) {
    return pointer;
  }
  void* moved = malloc(size);
  if (!moved) {
    return NULL;  // the old block stays valid
  }
  memcpy(moved, pointer, size < usable ? size : usable);
  free(pointer);
  return moved;
}

void* aligned_alloc(size_t alignment, size_t size) {
  if (alignment == 0 || (alignment & (alignment - 1))) {
    errno = EINVAL;
    return NULL;
  }
  return allocate(size, alignment);
}

int posix_memalign(void** out, size_t alignment, size_t size) {
  if (alignment < sizeof(void*) || (alignment & (alignment - 1))) {
    return EINVAL;
  }
  void* p = allocate(size, alignment);
  if (!p) {
    return ENOMEM;
  }
  *out = p;
  return 0;
}
