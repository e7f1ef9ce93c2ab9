// A PC's own keyboard and screen, which the console serves beside the
// serial port (main.cc): the i8042 PS/2 controller's keyboard, read on its
// interrupt, and the VGA's text mode. x86 only (I/O ports).
#pragma once

#include <stdint.h>

#include <mica/port_io.h>

#include "text_screen.h"

namespace console {

#if MICA_HAS_PORT_IO
// The i8042 at ports 0x60 (data) and 0x64 (status, commands), its keyboard
// on IRQ 1. Scan codes are decoded by ScanCodeDecoder (scan_code.h).
class I8042 {
 public:
  static constexpr uint16_t kDataPort = 0x60;
  static constexpr uint16_t kStatusPort = 0x64;
  static constexpr uint32_t kIrq = 1;

  // Whether a controller answers (a missing one reads as 0xff).
  bool present() const;
  // Drops what waits, then turns on the keyboard's interrupt and clock and
  // the translation to scan code set 1 (as the BIOS leaves them, usually).
  // false if the controller does not take the commands.
  bool enable_keyboard();
  // One byte from the keyboard into *code; false if none waits. Bytes of
  // the auxiliary (mouse) port are dropped.
  bool read(uint8_t* code);
};

// The VGA text buffer (mapped, 80 x 25 cells) and its CRTC cursor, at ports
// 0x3d4/0x3d5 (colour mode, as the BIOS and GRUB leave it).
class VgaText {
 public:
  explicit VgaText(volatile uint16_t* buffer) : buffer_(buffer) {}

  // Whether the VGA shows text (its graphics controller's alphanumeric
  // mode); false in a graphics mode (a UEFI framebuffer), where the buffer
  // is not what the screen shows.
  static bool in_text_mode();
  // Shows a blank screen and a visible underline cursor.
  void reset();
  // Writes `bytes` to the screen and puts the cursor after them.
  void write(const char* bytes, size_t length);

 private:
  void update();

  volatile uint16_t* buffer_;
  TextScreen screen_;
  size_t cursor_ = ~size_t{0};
};
#endif

}  // namespace console
