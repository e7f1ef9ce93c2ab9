// The flat image format: what the kernel loads as the first process (it
// knows no other binary format). Made by the GN template user_flat_image
// (build/user.gni, linker script build/user/flat.ld).
//
// The file is the memory image of [MICA_FLAT_IMAGE_BASE, base + file_size):
//
//   0            header (below), then text            map R-X
//   text_end     rodata (constants, .init_array)      map R
//   rodata_end   data                                 map RW
//   file_size    bss: zero, up to memory_size         map RW
//
// All offsets are from the base (the file's first byte); text_end,
// rodata_end and memory_size are page multiples. Execution starts at
// base + entry with the usual start-up arguments (<mica/syscall.h>).
#pragma once

#include <stdint.h>

#define MICA_FLAT_IMAGE_MAGIC 0x6d696361u  // "mica", as MICA_STARTUP_MAGIC
#define MICA_FLAT_IMAGE_BASE 0x00200000u

struct mica_flat_image_header {
  uint32_t magic;        // MICA_FLAT_IMAGE_MAGIC
  uint32_t entry;        // offset of _start
  uint32_t text_end;     // end of the header+text pages
  uint32_t rodata_end;   // end of the read-only pages
  uint32_t file_size;    // bytes in the file (end of data)
  uint32_t memory_size;  // end of data+bss, page-aligned
};

#ifdef __cplusplus
static_assert(sizeof(mica_flat_image_header) == 24, "flat image header layout");
#else
_Static_assert(sizeof(struct mica_flat_image_header) == 24, "flat image header layout");
#endif
