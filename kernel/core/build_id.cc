#include <core/build_id.h>
#include <lib/string.h>

extern "C" const uint8_t __build_id_start[];
extern "C" const uint8_t __build_id_end[];

namespace build_id {

void format_hex(lib::ByteSpan note, size_t bytes, char* out, size_t cap) {
  // ELF note: namesz, descsz, type, name (padded to 4), desc.
  uint32_t name_size = 0, desc_size = 0, type = 0;
  constexpr uint32_t kNtGnuBuildId = 3;
  bool ok = lib::read_le(note, 0, &name_size) && lib::read_le(note, 4, &desc_size) &&
            lib::read_le(note, 8, &type) && type == kNtGnuBuildId && name_size == 4;
  lib::ByteSpan desc = ok ? note.subspan(12 + 4, desc_size) : lib::ByteSpan();
  if (desc.empty() || cap == 0) {
    lib::strlcpy(out, "unknown", cap);
    return;
  }
  const char* digits = "0123456789abcdef";
  size_t n = 0;
  for (size_t i = 0; i < desc.size() && i < bytes && n + 2 < cap; ++i) {
    out[n++] = digits[desc[i] >> 4];
    out[n++] = digits[desc[i] & 0xf];
  }
  out[n] = '\0';
}

lib::ByteSpan kernel_note() {
  return lib::ByteSpan(__build_id_start, static_cast<size_t>(__build_id_end - __build_id_start));
}

}  // namespace build_id
