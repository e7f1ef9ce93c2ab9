// The boot ramdisk: a USTAR archive (image/make_ramdisk.py writes it), read
// in place from memory. Every header is checked (checksum, octal fields,
// sizes within the archive) and a bad one is reported, never trusted.
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct mica_ramdisk_entry {
  char path[256];    // without a leading "/" ("bin/sh"); directories end in "/"
  const void* data;  // the file's bytes, inside the archive
  size_t size;
  uint32_t mode;  // permission bits
  int is_directory;
};

// Steps through the archive: *offset starts at 0. Returns 1 with *entry
// filled, 0 at the end, or a negated status: -EBADMSG for a corrupt header
// (bad checksum or field), -ERANGE for an entry that runs past `size`.
int mica_ramdisk_next(const void* archive, size_t size, size_t* offset,
                      struct mica_ramdisk_entry* entry);

// Finds `path` (a leading "/" is ignored). 0, -ENOENT, or an error of
// mica_ramdisk_next.
int mica_ramdisk_find(const void* archive, size_t size, const char* path,
                      struct mica_ramdisk_entry* entry);

#ifdef __cplusplus
}
#endif
