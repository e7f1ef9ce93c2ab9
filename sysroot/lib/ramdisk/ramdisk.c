#include <string.h>

#include <errno.h>
#include <mica/ramdisk.h>

// Parses an octal field of `length` bytes (NUL- or space-terminated);
// -1 if it holds anything else.
static long long octal(const unsigned char* field, size_t length) {
  long long value = 0;
  size_t i = 0;
  while (i < length && field[i] == ' ') ++i;
  size_t digits = 0;
  for (; i < length && field[i] >= '0' && field[i] <= '7'; ++i, ++digits) {
    if (value > (1LL << 40)) return -1;
    value = value * 8 + (field[i] - '0');
  }
  for (; i < length; ++i) {
    if (field[i] != 0 && field[i] != ' ') return -1;
  }
  return digits == 0 ? -1 : value;
}

int mica_ramdisk_next(const void* archive, size_t size, size_t* offset,
                      struct mica_ramdisk_entry* entry) {
  const unsigned char* base = (const unsigned char*)archive;
  for (;;) {
    if (*offset + 512 > size) return 0;  // no room for another header: the end
    const unsigned char* h = base + *offset;
    int zero = 1;
    for (int i = 0; i < 512 && zero; ++i) zero = h[i] == 0;
    if (zero) return 0;  // the end-of-archive block
    long long checksum = octal(h + 148, 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; ++i) sum += (i >= 148 && i < 156) ? ' ' : h[i];
    if (checksum < 0 || (unsigned long long)checksum != sum) return -EBADMSG;
    long long file_size = octal(h + 124, 12);
    long long mode = octal(h + 100, 8);
    if (file_size < 0 || mode < 0) return -EBADMSG;
    size_t data_at = *offset + 512;
    if ((unsigned long long)file_size > size - data_at) return -ERANGE;
    size_t next = data_at + (((size_t)file_size + 511) & ~(size_t)511);
    char type = (char)h[156];
    // Name: prefix (155 bytes at 345, USTAR) + "/" + name (100 bytes).
    char name[101], prefix[156];
    memcpy(name, h, 100);
    name[100] = 0;
    memcpy(prefix, h + 345, 155);
    prefix[155] = 0;
    if (memcmp(h + 257, "ustar", 5) != 0) prefix[0] = 0;
    *offset = next > size ? size : next;
    if (type != '0' && type != 0 && type != '5') continue;  // links, devices: skipped
    const char* n = name;
    while (*n == '/' || (n[0] == '.' && n[1] == '/')) n += (*n == '/') ? 1 : 2;
    size_t used = 0;
    entry->path[0] = 0;
    if (prefix[0] != 0) {
      used = strlen(prefix);
      memcpy(entry->path, prefix, used);
      entry->path[used++] = '/';
    }
    size_t name_length = strlen(n);
    if (used + name_length >= sizeof(entry->path)) return -EBADMSG;
    memcpy(entry->path + used, n, name_length + 1);
    entry->data = base + data_at;
    entry->size = (size_t)file_size;
    entry->mode = (uint32_t)mode & 07777;
    entry->is_directory = type == '5';
    return 1;
  }
}

int mica_ramdisk_find(const void* archive, size_t size, const char* path,
                      struct mica_ramdisk_entry* entry) {
  while (*path == '/') ++path;
  size_t offset = 0;
  for (;;) {
    int r = mica_ramdisk_next(archive, size, &offset, entry);
    if (r <= 0) return r == 0 ? -ENOENT : r;
    if (strcmp(entry->path, path) == 0) return 0;
  }
}
