// Flattened device tree (Devicetree Specification v0.4, chapter 5), read just
// far enough to boot: memory, the command line, the initrd and reservations.
#include <core/boot/parsers.h>

namespace boot {
namespace {

enum Token : uint32_t {
  kBeginNode = 1,
  kEndNode = 2,
  kProp = 3,
  kNop = 4,
  kEnd = 9,
};

constexpr size_t kMaxDepth = 32;

bool name_is(const char* name, size_t length, const char* want) {
  size_t i = 0;
  for (; want[i] != '\0'; ++i) {
    if (i >= length || name[i] != want[i]) return false;
  }
  return i == length;
}

// Reads a `cells`-wide big-endian number (1 or 2 cells).
bool read_cells(lib::ByteSpan value, size_t offset, uint32_t cells, uint64_t* out) {
  if (cells == 1) {
    uint32_t v = 0;
    if (!lib::read_be(value, offset, &v)) return false;
    *out = v;
    return true;
  }
  if (cells == 2) return lib::read_be(value, offset, out);
  return false;
}

}  // namespace

lib::Result<void> parse_fdt(lib::ByteSpan blob, BootInfo& out) {
  uint32_t magic = 0, total = 0, off_struct = 0, off_strings = 0, off_rsvmap = 0, version = 0;
  uint32_t size_strings = 0, size_struct = 0;
  if (!lib::read_be(blob, 0, &magic) || !lib::read_be(blob, 4, &total))
    return lib::Status::kTruncated;
  if (magic != kFdtMagic) return lib::Status::kBadFormat;
  if (total > blob.size()) return lib::Status::kTruncated;
  blob = blob.subspan(0, total);
  if (!lib::read_be(blob, 8, &off_struct) || !lib::read_be(blob, 12, &off_strings) ||
      !lib::read_be(blob, 16, &off_rsvmap) || !lib::read_be(blob, 20, &version) ||
      !lib::read_be(blob, 32, &size_strings) || !lib::read_be(blob, 36, &size_struct)) {
    return lib::Status::kTruncated;
  }
  if (version < 16) return lib::Status::kNotSupported;
  lib::ByteSpan structure = blob.subspan(off_struct, size_struct);
  lib::ByteSpan strings = blob.subspan(off_strings, size_strings);
  if (structure.size() != size_struct || strings.size() != size_strings) {
    return lib::Status::kTruncated;
  }

  // Memory reservation block: (address, size) pairs ending with (0, 0).
  for (size_t offset = off_rsvmap;; offset += 16) {
    uint64_t address = 0, size = 0;
    if (!lib::read_be(blob, offset, &address) || !lib::read_be(blob, offset + 8, &size)) {
      return lib::Status::kTruncated;
    }
    if (address == 0 && size == 0) break;
    TRY(out.add_memory(address, size, MemoryType::kReserved));
  }

  uint32_t address_cells = 2, size_cells = 1;  // the root's defaults
  size_t depth = 0;
  bool in_memory = false, in_chosen = false;
  uint64_t initrd_start = 0, initrd_end = 0;
  bool have_initrd_start = false, have_initrd_end = false;

  size_t offset = 0;
  while (true) {
    uint32_t token = 0;
    if (!lib::read_be(structure, offset, &token)) return lib::Status::kTruncated;
    offset += 4;
    switch (token) {
      case kBeginNode: {
        size_t start = offset;
        while (offset < structure.size() && structure[offset] != 0) ++offset;
        if (offset >= structure.size()) return lib::Status::kTruncated;
        const char* name = reinterpret_cast<const char*>(structure.data() + start);
        size_t length = offset - start;
        offset = (offset + 1 + 3) & ~size_t{3};
        if (++depth > kMaxDepth) return lib::Status::kBadFormat;
        // Only children of the root matter here; "memory" or "memory@unit".
        in_memory = depth == 2 && (name_is(name, length, "memory") ||
                                   (length > 7 && name_is(name, 7, "memory@")));
        in_chosen = depth == 2 && name_is(name, length, "chosen");
        break;
      }
      case kEndNode:
        if (depth == 0) return lib::Status::kBadFormat;
        --depth;
        in_memory = in_chosen = false;
        break;
      case kProp: {
        uint32_t length = 0, name_offset = 0;
        if (!lib::read_be(structure, offset, &length) ||
            !lib::read_be(structure, offset + 4, &name_offset)) {
          return lib::Status::kTruncated;
        }
        lib::ByteSpan value = structure.subspan(offset + 8, length);
        if (value.size() != length) return lib::Status::kTruncated;
        offset = (offset + 8 + length + 3) & ~size_t{3};
        if (name_offset >= strings.size()) return lib::Status::kBadFormat;
        const char* name = reinterpret_cast<const char*>(strings.data() + name_offset);
        size_t name_max = strings.size() - name_offset;
        size_t name_length = 0;
        while (name_length < name_max && name[name_length] != '\0') ++name_length;
        if (name_length == name_max) return lib::Status::kBadFormat;

        if (depth == 1 && name_is(name, name_length, "#address-cells")) {
          if (!lib::read_be(value, 0, &address_cells)) return lib::Status::kTruncated;
        } else if (depth == 1 && name_is(name, name_length, "#size-cells")) {
          if (!lib::read_be(value, 0, &size_cells)) return lib::Status::kTruncated;
        } else if (in_memory && name_is(name, name_length, "reg")) {
          if (address_cells < 1 || address_cells > 2 || size_cells < 1 || size_cells > 2) {
            return lib::Status::kNotSupported;
          }
          size_t stride = 4 * (address_cells + size_cells);
          if (value.size() % stride != 0) return lib::Status::kBadFormat;
          for (size_t at = 0; at < value.size(); at += stride) {
            uint64_t base = 0, size = 0;
            read_cells(value, at, address_cells, &base);
            read_cells(value, at + 4 * address_cells, size_cells, &size);
            TRY(out.add_memory(base, size, MemoryType::kUsable));
          }
        } else if (in_chosen && name_is(name, name_length, "bootargs")) {
          out.set_cmdline(reinterpret_cast<const char*>(value.data()), value.size());
        } else if (in_chosen && name_is(name, name_length, "linux,initrd-start")) {
          if (!read_cells(value, 0, static_cast<uint32_t>(value.size() / 4), &initrd_start)) {
            return lib::Status::kBadFormat;
          }
          have_initrd_start = true;
        } else if (in_chosen && name_is(name, name_length, "linux,initrd-end")) {
          if (!read_cells(value, 0, static_cast<uint32_t>(value.size() / 4), &initrd_end)) {
            return lib::Status::kBadFormat;
          }
          have_initrd_end = true;
        }
        break;
      }
      case kNop:
        break;
      case kEnd:
        if (depth != 0) return lib::Status::kBadFormat;
        if (have_initrd_start && have_initrd_end) {
          if (initrd_end < initrd_start) return lib::Status::kBadFormat;
          TRY(out.add_module(initrd_start, initrd_end - initrd_start, "ramdisk", 7));
        }
        return {};
      default:
        return lib::Status::kBadFormat;
    }
  }
}

}  // namespace boot
