// ELF parsing and loading (see <mica/elf_loader.h>). Reads every field with
// memcpy, so the buffer needs no alignment; all arithmetic is 64-bit and
// checked for overflow.
#include <string.h>

#include <mica/elf_loader.h>

#define PAGE ((uint64_t)MICA_PAGE_SIZE)

#define ET_EXEC 2
#define EV_CURRENT 1
#define ELFCLASS32 1
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PT_INTERP 3
#define PF_X 1
#define PF_W 2
#define PF_R 4

// Offsets of the header fields this loader reads, for each class.
struct layout {
  size_t ehsize;
  size_t phentsize;
  size_t e_type, e_machine, e_version, e_entry, e_phoff, e_ehsize, e_phentsize, e_phnum;
  size_t p_type, p_flags, p_offset, p_vaddr, p_filesz, p_memsz;
  size_t word;  // bytes of an address-sized field
};

static const struct layout kElf32 = {52, 32, 16, 18, 20, 24, 28, 40, 42,
                                     44, 0,  24, 4,  8,  16, 20, 4};
static const struct layout kElf64 = {64, 56, 16, 18, 20, 24, 32, 52, 54,
                                     56, 0,  4,  8,  16, 32, 40, 8};

static uint64_t read_le(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) {
    v |= (uint64_t)p[i] << (8 * i);
  }
  return v;
}

const char* mica_elf_error_name(enum mica_elf_error error) {
  switch (error) {
    case MICA_ELF_OK:
      return "ok";
    case MICA_ELF_TRUNCATED:
      return "truncated";
    case MICA_ELF_BAD_MAGIC:
      return "bad magic";
    case MICA_ELF_BAD_CLASS:
      return "wrong class for the machine";
    case MICA_ELF_BAD_ENCODING:
      return "not little-endian";
    case MICA_ELF_BAD_VERSION:
      return "bad version";
    case MICA_ELF_BAD_TYPE:
      return "not an executable (ET_EXEC)";
    case MICA_ELF_BAD_MACHINE:
      return "wrong machine";
    case MICA_ELF_BAD_HEADER_SIZE:
      return "bad header size";
    case MICA_ELF_NOT_STATIC:
      return "not static (PT_INTERP or PT_DYNAMIC)";
    case MICA_ELF_NO_SEGMENTS:
      return "no loadable segment";
    case MICA_ELF_TOO_MANY_SEGMENTS:
      return "too many loadable segments";
    case MICA_ELF_SEGMENT_OUTSIDE_FILE:
      return "segment data outside the file";
    case MICA_ELF_SEGMENT_FILESZ:
      return "segment file size above its memory size";
    case MICA_ELF_SEGMENT_OVERFLOW:
      return "segment address overflows";
    case MICA_ELF_SEGMENT_OUT_OF_RANGE:
      return "segment outside user space";
    case MICA_ELF_SEGMENT_MISALIGNED:
      return "segment address and offset differ modulo the page size";
    case MICA_ELF_SEGMENT_OVERLAP:
      return "segments overlap";
    case MICA_ELF_BAD_ENTRY:
      return "entry point outside the executable segments";
    case MICA_ELF_MAP_FAILED:
      return "mapping failed";
    case MICA_ELF_WRITE_FAILED:
      return "writing failed";
    case MICA_ELF_ERROR_COUNT:
      break;
  }
  return "unknown error";
}

static uint32_t prot_of(uint32_t flags) {
  return ((flags & PF_R) ? MICA_PROT_READ : 0u) | ((flags & PF_W) ? MICA_PROT_WRITE : 0u) |
         ((flags & PF_X) ? MICA_PROT_EXEC : 0u);
}

enum mica_elf_error mica_elf_parse(const void* data, size_t size, uint16_t machine,
                                   uint64_t user_limit, struct mica_elf_image* image) {
  const uint8_t* bytes = data;
  memset(image, 0, sizeof(*image));
  if (size < 16) {
    return MICA_ELF_TRUNCATED;
  }
  if (bytes[0] != 0x7f || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F') {
    return MICA_ELF_BAD_MAGIC;
  }
  int want_class = machine == MICA_ELF_MACHINE_I386 ? ELFCLASS32 : ELFCLASS64;
  if (bytes[4] != want_class) {
    return MICA_ELF_BAD_CLASS;
  }
  if (bytes[5] != ELFDATA2LSB) {
    return MICA_ELF_BAD_ENCODING;
  }
  if (bytes[6] != EV_CURRENT) {
    return MICA_ELF_BAD_VERSION;
  }
  const struct layout* l = want_class == ELFCLASS32 ? &kElf32 : &kElf64;
  if (size < l->ehsize) {
    return MICA_ELF_TRUNCATED;
  }
  if (read_le(bytes + l->e_version, 4) != EV_CURRENT) {
    return MICA_ELF_BAD_VERSION;
  }
  if (read_le(bytes + l->e_type, 2) != ET_EXEC) {
    return MICA_ELF_BAD_TYPE;
  }
  if (read_le(bytes + l->e_machine, 2) != machine) {
    return MICA_ELF_BAD_MACHINE;
  }
  if (read_le(bytes + l->e_ehsize, 2) != l->ehsize ||
      read_le(bytes + l->e_phentsize, 2) != l->phentsize) {
    return MICA_ELF_BAD_HEADER_SIZE;
  }
  uint64_t phoff = read_le(bytes + l->e_phoff, l->word);
  uint64_t phnum = read_le(bytes + l->e_phnum, 2);
  uint64_t table_end = phoff + phnum * l->phentsize;  // cannot wrap: phnum < 2^16
  if (phoff > size || table_end > size || table_end < phoff) {
    return MICA_ELF_TRUNCATED;
  }
  image->machine = machine;
  image->entry = read_le(bytes + l->e_entry, l->word);
  image->low = UINT64_MAX;
  int entry_ok = 0;
  for (uint64_t i = 0; i < phnum; i++) {
    const uint8_t* ph = bytes + phoff + i * l->phentsize;
    uint32_t type = (uint32_t)read_le(ph + l->p_type, 4);
    if (type == PT_INTERP || type == PT_DYNAMIC) {
      return MICA_ELF_NOT_STATIC;
    }
    if (type != PT_LOAD) {
      continue;
    }
    struct mica_elf_segment s;
    s.address = read_le(ph + l->p_vaddr, l->word);
    s.memory_size = read_le(ph + l->p_memsz, l->word);
    s.file_offset = read_le(ph + l->p_offset, l->word);
    s.file_size = read_le(ph + l->p_filesz, l->word);
    s.prot = prot_of((uint32_t)read_le(ph + l->p_flags, 4));
    if (s.memory_size == 0) {
      continue;  // maps nothing
    }
    if (s.file_offset > size || s.file_size > size - s.file_offset) {
      return MICA_ELF_SEGMENT_OUTSIDE_FILE;
    }
    if (s.file_size > s.memory_size) {
      return MICA_ELF_SEGMENT_FILESZ;
    }
    uint64_t start = s.address & ~(PAGE - 1);
    uint64_t end;
    if (__builtin_add_overflow(s.address, s.memory_size, &end) ||
        __builtin_add_overflow(end, PAGE - 1, &end)) {
      return MICA_ELF_SEGMENT_OVERFLOW;
    }
    end &= ~(PAGE - 1);
    if (start < PAGE || end > user_limit) {
      return MICA_ELF_SEGMENT_OUT_OF_RANGE;
    }
    if (s.file_size && (s.address & (PAGE - 1)) != (s.file_offset & (PAGE - 1))) {
      return MICA_ELF_SEGMENT_MISALIGNED;
    }
    for (uint32_t j = 0; j < image->segment_count; j++) {
      const struct mica_elf_segment* o = &image->segments[j];
      uint64_t o_start = o->address & ~(PAGE - 1);
      uint64_t o_end = (o->address + o->memory_size + PAGE - 1) & ~(PAGE - 1);
      if (start < o_end && o_start < end) {
        return MICA_ELF_SEGMENT_OVERLAP;
      }
    }
    if (image->segment_count == MICA_ELF_MAX_SEGMENTS) {
      return MICA_ELF_TOO_MANY_SEGMENTS;
    }
    image->segments[image->segment_count++] = s;
    if (start < image->low) {
      image->low = start;
    }
    if (end > image->high) {
      image->high = end;
    }
    if ((s.prot & MICA_PROT_EXEC) && image->entry >= s.address &&
        image->entry - s.address < s.memory_size) {
      entry_ok = 1;
    }
  }
  if (image->segment_count == 0) {
    image->low = 0;
    return MICA_ELF_NO_SEGMENTS;
  }
  if (!entry_ok) {
    return MICA_ELF_BAD_ENTRY;
  }
  return MICA_ELF_OK;
}

enum mica_elf_error mica_elf_load(const void* data, size_t size, const struct mica_elf_image* image,
                                  const struct mica_elf_loader_ops* ops, int* status) {
  const uint8_t* bytes = data;
  int ignored;
  if (!status) {
    status = &ignored;
  }
  *status = 0;
  for (uint32_t i = 0; i < image->segment_count; i++) {
    const struct mica_elf_segment* s = &image->segments[i];
    uint64_t start = s->address & ~(PAGE - 1);
    uint64_t end = (s->address + s->memory_size + PAGE - 1) & ~(PAGE - 1);
    *status = ops->map(ops->context, start, end - start, s->prot);
    if (*status < 0) {
      return MICA_ELF_MAP_FAILED;
    }
  }
  for (uint32_t i = 0; i < image->segment_count; i++) {
    const struct mica_elf_segment* s = &image->segments[i];
    if (s->file_size == 0) {
      continue;
    }
    if (s->file_offset > size || s->file_size > size - s->file_offset) {
      return MICA_ELF_SEGMENT_OUTSIDE_FILE;  // not the buffer that was parsed
    }
    *status = ops->write(ops->context, s->address, bytes + s->file_offset, (size_t)s->file_size);
    if (*status < 0) {
      return MICA_ELF_WRITE_FAILED;
    }
  }
  return MICA_ELF_OK;
}
