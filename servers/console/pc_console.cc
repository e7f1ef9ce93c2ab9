#include "pc_console.h"

namespace console {

#if MICA_HAS_PORT_IO
namespace {

constexpr uint8_t kStatusOutputFull = 1 << 0;  // a byte waits at 0x60
constexpr uint8_t kStatusInputFull = 1 << 1;   // the controller has not taken ours
constexpr uint8_t kStatusAuxiliary = 1 << 5;   // the waiting byte is the mouse's

constexpr uint8_t kCommandReadConfig = 0x20;
constexpr uint8_t kCommandWriteConfig = 0x60;
constexpr uint8_t kConfigKeyboardInterrupt = 1 << 0;
constexpr uint8_t kConfigKeyboardClockOff = 1 << 4;
constexpr uint8_t kConfigTranslation = 1 << 6;

// Bounded waits: a wedged controller must not hang the console.
constexpr int kSpins = 100000;
// Bytes dropped at most when flushing (a controller that never runs dry).
constexpr int kFlushMax = 64;

bool wait_input_empty() {
  for (int i = 0; i < kSpins; ++i) {
    if ((mica_inb(I8042::kStatusPort) & kStatusInputFull) == 0) return true;
  }
  return false;
}

bool wait_output_full() {
  for (int i = 0; i < kSpins; ++i) {
    if ((mica_inb(I8042::kStatusPort) & kStatusOutputFull) != 0) return true;
  }
  return false;
}

// VGA registers: the CRT controller's index/data pair (colour), and the
// graphics controller's.
constexpr uint16_t kCrtcIndex = 0x3d4;
constexpr uint16_t kCrtcData = 0x3d5;
constexpr uint8_t kCrtcCursorStart = 0x0a;
constexpr uint8_t kCrtcCursorEnd = 0x0b;
constexpr uint8_t kCrtcCursorHigh = 0x0e;
constexpr uint8_t kCrtcCursorLow = 0x0f;
// Cursor start: bits 6-7 kept, bit 5 (off) cleared, bits 0-4 its first line.
// An underline cursor in the 16-line character cell.
constexpr uint8_t kCursorFirstLine = 14;
constexpr uint8_t kCursorLastLine = 15;
constexpr uint16_t kGraphicsIndex = 0x3ce;
constexpr uint16_t kGraphicsData = 0x3cf;
constexpr uint8_t kGraphicsMiscellaneous = 0x06;
constexpr uint8_t kMiscellaneousGraphicsMode = 1 << 0;

uint8_t crtc_read(uint8_t index) {
  mica_outb(kCrtcIndex, index);
  return mica_inb(kCrtcData);
}

void crtc_write(uint8_t index, uint8_t value) {
  mica_outb(kCrtcIndex, index);
  mica_outb(kCrtcData, value);
}

}  // namespace

bool I8042::present() const {
  return mica_inb(kStatusPort) != 0xff;
}

bool I8042::enable_keyboard() {
  for (int i = 0; i < kFlushMax && (mica_inb(kStatusPort) & kStatusOutputFull) != 0; ++i) {
    (void)mica_inb(kDataPort);
  }
  if (!wait_input_empty()) return false;
  mica_outb(kStatusPort, kCommandReadConfig);
  if (!wait_output_full()) return false;
  uint8_t config = mica_inb(kDataPort);
  config |= kConfigKeyboardInterrupt | kConfigTranslation;
  config &= static_cast<uint8_t>(~kConfigKeyboardClockOff);
  if (!wait_input_empty()) return false;
  mica_outb(kStatusPort, kCommandWriteConfig);
  if (!wait_input_empty()) return false;
  mica_outb(kDataPort, config);
  return wait_input_empty();
}

bool I8042::read(uint8_t* code) {
  for (int i = 0; i < kFlushMax; ++i) {
    uint8_t status = mica_inb(kStatusPort);
    if ((status & kStatusOutputFull) == 0) return false;
    uint8_t byte = mica_inb(kDataPort);
    if ((status & kStatusAuxiliary) != 0) continue;
    *code = byte;
    return true;
  }
  return false;
}

bool VgaText::in_text_mode() {
  mica_outb(kGraphicsIndex, kGraphicsMiscellaneous);
  return (mica_inb(kGraphicsData) & kMiscellaneousGraphicsMode) == 0;
}

void VgaText::reset() {
  screen_.clear();
  crtc_write(kCrtcCursorStart,
             static_cast<uint8_t>((crtc_read(kCrtcCursorStart) & 0xc0) | kCursorFirstLine));
  crtc_write(kCrtcCursorEnd,
             static_cast<uint8_t>((crtc_read(kCrtcCursorEnd) & 0xe0) | kCursorLastLine));
  update();
}

void VgaText::write(const char* bytes, size_t length) {
  screen_.write(bytes, length);
  update();
}

void VgaText::update() {
  size_t first, end;
  if (screen_.take_changes(&first, &end)) {
    const uint16_t* cells = screen_.cells();
    for (size_t i = first; i < end; ++i) buffer_[i] = cells[i];
  }
  size_t cursor = screen_.cursor();
  if (cursor != cursor_) {
    crtc_write(kCrtcCursorLow, static_cast<uint8_t>(cursor & 0xff));
    crtc_write(kCrtcCursorHigh, static_cast<uint8_t>(cursor >> 8));
    cursor_ = cursor;
  }
}
#endif

}  // namespace console
