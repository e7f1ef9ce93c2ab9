#include <arch/x86/io_ports.h>
#include <lib/string.h>

namespace arch::x86 {

void IoPorts::init() {
  memset(bitmap, 0xff, sizeof(bitmap));
  extent = 0;
}

lib::Result<void> IoPorts::allow(uint32_t base, uint32_t count) {
  if (base >= kIoPortCount || count > kIoPortCount - base) return lib::Status::kInvalidArgs;
  for (uint32_t port = base; port < base + count; ++port) {
    bitmap[port / 8] = static_cast<uint8_t>(bitmap[port / 8] & ~(1u << (port % 8)));
  }
  if (count != 0 && (base + count - 1) / 8 + 1 > extent) extent = (base + count - 1) / 8 + 1;
  return {};
}

bool IoPorts::allowed(uint32_t port) const {
  return port < kIoPortCount && (bitmap[port / 8] & (1u << (port % 8))) == 0;
}

void load_io_bitmap(uint8_t* tss_bitmap, uint32_t& tss_extent, const IoPorts* ports) {
  uint32_t extent = ports != nullptr ? ports->extent : 0;
  if (extent != 0) memcpy(tss_bitmap, ports->bitmap, extent);
  if (tss_extent > extent) memset(tss_bitmap + extent, 0xff, tss_extent - extent);
  tss_extent = extent;
}

void init_tss_io_bitmap(uint8_t* tss_bitmap, uint32_t& tss_extent) {
  memset(tss_bitmap, 0xff, kIoBitmapBytes);
  tss_extent = 0;
}

}  // namespace arch::x86
