// The flat image header check (host-testable: no kernel dependencies).
#include <core/user/init.h>
#include <lib/string.h>

namespace user {

lib::Result<FlatLayout> parse_flat_image(const uint8_t* module, size_t module_size) {
  constexpr uint32_t kMagic = 0x6d696361;  // "mica", as in flat_image.h
  constexpr uint32_t kPage = 4096;
  constexpr uint32_t kMaxMemory = 64u << 20;
  uint32_t words[6];
  if (module == nullptr || module_size < sizeof(words)) return lib::Status::kTruncated;
  memcpy(words, module, sizeof(words));
  if (words[0] != kMagic) return lib::Status::kBadFormat;
  FlatLayout l = {words[1], words[2], words[3], words[4], words[5]};
  // Segments in order, page-aligned, inside the file and memory sizes.
  if (l.text_end % kPage != 0 || l.rodata_end % kPage != 0 || l.text_end == 0 ||
      l.text_end > l.rodata_end || l.rodata_end > l.file_size || l.file_size > l.memory_size ||
      l.memory_size > kMaxMemory || l.entry < sizeof(words) || l.entry >= l.text_end) {
    return lib::Status::kBadFormat;
  }
  if (l.file_size > module_size) return lib::Status::kTruncated;
  return l;
}

}  // namespace user
