// The PC keyboard's scan codes as the console reads them from the i8042
// controller: scan code set 1, which is what the controller's translation
// makes of the keyboard's set 2 (QEMU's emulated PS/2 keyboard, and every
// BIOS, leave translation on). Pure logic, no port I/O: bytes go in one at
// a time and typed characters come out, so that the host tests cover it.
//
// A key's make code is its number (0x01..0x58), its break code the same
// with bit 7 set; 0xe0 prefixes the extended keys (right Ctrl, keypad
// Enter and /, arrows...), 0xe1 the Pause key's six-byte sequence.
// Mapped: the US layout's letters, digits and punctuation with Shift and
// Caps Lock, Space, Tab, Enter (CR, as a serial terminal sends it),
// Backspace (DEL, likewise), Esc, the keypad's Enter, / * - +, and Ctrl
// with a letter or [ \ ] (^A..^Z, ^[ ^\ ^]), so that ^C, ^D, ^U and ^W
// reach the line discipline. Everything else (function keys, arrows, Alt,
// Num Lock's keypad, controller replies) produces nothing.
#pragma once

#include <stdint.h>

namespace console {

class ScanCodeDecoder {
 public:
  // Takes one byte from the controller. Returns true with the character
  // the key typed in *out, or false if it typed none (a break code, a
  // modifier, a prefix, an unmapped key).
  bool decode(uint8_t code, char* out);

  bool shift() const { return left_shift_ || right_shift_; }
  bool ctrl() const { return left_ctrl_ || right_ctrl_; }
  bool caps_lock() const { return caps_lock_; }

 private:
  // The character of make code `key` (not extended), 0 if none.
  char character(uint8_t key) const;
  // Extended make code `key` after 0xe0.
  bool decode_extended(uint8_t key, bool released, char* out);

  bool extended_ = false;    // the last byte was 0xe0
  int pause_remaining_ = 0;  // bytes of the Pause sequence still to skip
  bool left_shift_ = false;
  bool right_shift_ = false;
  bool left_ctrl_ = false;
  bool right_ctrl_ = false;
  bool caps_lock_ = false;
  bool caps_lock_held_ = false;
};

}  // namespace console
