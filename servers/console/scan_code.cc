#include "scan_code.h"

namespace console {
namespace {

constexpr uint8_t kExtendedPrefix = 0xe0;
constexpr uint8_t kPausePrefix = 0xe1;
constexpr int kPauseTail = 5;  // e1 1d 45 e1 9d c5
constexpr uint8_t kBreakBit = 0x80;

// Make codes of set 1 with a meaning of their own.
constexpr uint8_t kLeftCtrl = 0x1d;
constexpr uint8_t kLeftShift = 0x2a;
constexpr uint8_t kRightShift = 0x36;
constexpr uint8_t kCapsLock = 0x3a;
constexpr uint8_t kKeypadEnter = 0x1c;  // after 0xe0; 0x1c alone is Enter
constexpr uint8_t kKeypadSlash = 0x35;  // after 0xe0
constexpr uint8_t kRightCtrl = 0x1d;    // after 0xe0

// The US layout, unshifted and shifted, by make code (0 where a key types
// nothing itself). Enter is CR and Backspace DEL, as on a serial terminal.
constexpr char kPlain[] =
    "\0\x1b"
    "1234567890-=\x7f\t"
    "qwertyuiop[]\r\0"
    "asdfghjkl;'`\0\\"
    "zxcvbnm,./\0*\0 ";
constexpr char kShifted[] =
    "\0\x1b"
    "!@#$%^&*()_+\x7f\t"
    "QWERTYUIOP{}\r\0"
    "ASDFGHJKL:\"~\0|"
    "ZXCVBNM<>?\0*\0 ";
constexpr uint8_t kTableSize = sizeof(kPlain) - 1;  // 0x00..0x39
static_assert(kTableSize == 0x3a && sizeof(kShifted) == sizeof(kPlain));

// The keypad's - and + (Num Lock does not change them).
constexpr uint8_t kKeypadMinus = 0x4a;
constexpr uint8_t kKeypadPlus = 0x4e;

bool is_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace

char ScanCodeDecoder::character(uint8_t key) const {
  if (key == kKeypadMinus) return '-';
  if (key == kKeypadPlus) return '+';
  if (key >= kTableSize) return 0;
  char plain = kPlain[key];
  // Caps Lock shifts letters only; Shift with it makes them small again.
  bool shifted = shift();
  if (is_letter(plain) && caps_lock_) shifted = !shifted;
  char c = shifted ? kShifted[key] : plain;
  if (!ctrl() || c == 0) return c;
  // Ctrl with a letter or [ \ ] is that control character (^C = 0x03);
  // with anything else it types nothing.
  if (is_letter(c)) return static_cast<char>(c & 0x1f);
  if (plain == '[' || plain == '\\' || plain == ']') return static_cast<char>(plain & 0x1f);
  if (plain == '\x7f' || plain == '\r' || plain == '\t' || plain == '\x1b') return plain;
  return 0;
}

bool ScanCodeDecoder::decode(uint8_t code, char* out) {
  if (pause_remaining_ > 0) {
    --pause_remaining_;
    return false;
  }
  if (code == kPausePrefix) {
    extended_ = false;
    pause_remaining_ = kPauseTail;
    return false;
  }
  if (code == kExtendedPrefix) {
    extended_ = true;
    return false;
  }
  bool released = (code & kBreakBit) != 0;
  uint8_t key = code & ~kBreakBit;
  if (extended_) {
    extended_ = false;
    return decode_extended(key, released, out);
  }
  // Controller and keyboard replies (0x00 and 0xff errors, 0xfa ACK, 0xfe
  // resend, 0xee echo) are break codes of no key we map: they fall
  // through as nothing.
  switch (key) {
    case kLeftShift:
      left_shift_ = !released;
      return false;
    case kRightShift:
      right_shift_ = !released;
      return false;
    case kLeftCtrl:
      left_ctrl_ = !released;
      return false;
    case kCapsLock:
      // Toggles when pressed, once: a held key repeats its make code.
      if (!released && !caps_lock_held_) caps_lock_ = !caps_lock_;
      caps_lock_held_ = !released;
      return false;
    default:
      break;
  }
  if (released) return false;
  char c = character(key);
  if (c == 0) return false;
  *out = c;
  return true;
}

bool ScanCodeDecoder::decode_extended(uint8_t key, bool released, char* out) {
  switch (key) {
    case kRightCtrl:
      right_ctrl_ = !released;
      return false;
    case kKeypadEnter:
      if (released) return false;
      *out = '\r';
      return true;
    case kKeypadSlash:
      if (released || ctrl()) return false;
      *out = '/';
      return true;
    default:
      // Arrows, Home, Delete, right Alt, the fake Shifts around Print
      // Screen (e0 2a, e0 b6): nothing.
      return false;
  }
}

}  // namespace console
