// Replies from the VideoCore firmware's mailbox property channel (channel 8):
// a buffer of tags the ARM filled with requests and the firmware overwrote
// with responses.
#include <core/boot/parsers.h>

namespace boot {

lib::Result<void> parse_mailbox_reply(lib::ByteSpan buffer, BootInfo& out) {
  constexpr uint32_t kResponseSuccess = 0x80000000;
  constexpr uint32_t kTagResponse = 0x80000000;
  uint32_t size = 0, code = 0;
  if (!lib::read_le(buffer, 0, &size) || !lib::read_le(buffer, 4, &code)) {
    return lib::Status::kTruncated;
  }
  if (size > buffer.size()) return lib::Status::kTruncated;
  if (size % 4 != 0 || size < 12) return lib::Status::kBadFormat;
  if (code != kResponseSuccess) return lib::Status::kIoError;
  buffer = buffer.subspan(0, size);

  size_t offset = 8;
  while (true) {
    uint32_t tag = 0, capacity = 0, status = 0;
    if (!lib::read_le(buffer, offset, &tag)) return lib::Status::kTruncated;
    if (tag == 0) return {};
    if (!lib::read_le(buffer, offset + 4, &capacity) ||
        !lib::read_le(buffer, offset + 8, &status)) {
      return lib::Status::kTruncated;
    }
    lib::ByteSpan value = buffer.subspan(offset + 12, capacity);
    if (value.size() != capacity) return lib::Status::kTruncated;
    uint32_t length = status & ~kTagResponse;
    // A tag the firmware did not answer is skipped; an answer longer than the
    // space we gave it was cut short by the firmware.
    if ((status & kTagResponse) != 0) {
      if (length > capacity) return lib::Status::kTruncated;
      switch (tag) {
        case kMailboxTagArmMemory:
        case kMailboxTagVcMemory: {
          uint32_t base = 0, bytes = 0;
          if (length < 8) return lib::Status::kBadFormat;
          lib::read_le(value, 0, &base);
          lib::read_le(value, 4, &bytes);
          TRY(out.add_memory(
              base, bytes,
              tag == kMailboxTagArmMemory ? MemoryType::kUsable : MemoryType::kReserved));
          break;
        }
        case kMailboxTagCommandLine:
          out.set_cmdline(reinterpret_cast<const char*>(value.data()), length);
          break;
        default:
          break;
      }
    }
    offset += 12 + ((capacity + 3) & ~uint32_t{3});
  }
}

}  // namespace boot
