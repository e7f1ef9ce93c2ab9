#include "arguments.h"

#include <stdio.h>
#include <string.h>

#include <mica/parse_number.h>

namespace console {
namespace {

constexpr uint32_t kUart16550Ports = 8;
constexpr uint64_t kPageSize = 4096;
// The PL011 registers the driver touches end with ICR (0x44).
constexpr uint64_t kPl011RegisterBytes = 0x48;
// No interrupt controller mica drives numbers its lines this high.
constexpr uint64_t kIrqMax = 1023;
// 80 x 25 cells of 2 bytes.
constexpr uint64_t kVgaTextBytes = 80 * 25 * 2;

// The whole of `text` as a number no greater than `max`
// (<mica/parse_number.h>).
bool parse_number(const char* text, uint64_t max, uint64_t* out) {
  return mica_parse_number(text, strlen(text), max, out) == 0;
}

bool starts_with(const char* text, const char* prefix, const char** rest) {
  size_t n = strlen(prefix);
  if (strncmp(text, prefix, n) != 0) return false;
  *rest = text + n;
  return true;
}

}  // namespace

const char kUsage[] =
    "usage: console [selftest] uart=16550 port=PORT irq=IRQ [keyboard=i8042] [vga=ADDRESS]\n"
    "       console [selftest] uart=pl011 mmio=ADDRESS irq=IRQ\n";

bool parse_arguments(int argc, const char* const* argv, Arguments* out, char* error,
                     size_t error_size) {
  Arguments a;
  bool have_port = false;
  bool have_mmio = false;
  bool have_irq = false;
  for (int i = 1; i < argc; ++i) {
    const char* arg = argv[i];
    const char* value;
    uint64_t number;
    if (strcmp(arg, "selftest") == 0) {
      a.selftest = true;
    } else if (starts_with(arg, "uart=", &value)) {
      if (a.uart != UartKind::kNone) {
        snprintf(error, error_size, "uart= given twice");
        return false;
      }
      if (strcmp(value, "16550") == 0) {
        a.uart = UartKind::k16550;
      } else if (strcmp(value, "pl011") == 0) {
        a.uart = UartKind::kPl011;
      } else {
        snprintf(error, error_size, "unknown uart '%s' (16550 or pl011)", value);
        return false;
      }
    } else if (starts_with(arg, "port=", &value)) {
      if (have_port || !parse_number(value, 0x10000 - kUart16550Ports, &number)) {
        snprintf(error, error_size, "bad or repeated '%s' (an I/O port up to 0xfff8)", arg);
        return false;
      }
      a.port = static_cast<uint32_t>(number);
      have_port = true;
    } else if (starts_with(arg, "mmio=", &value)) {
      if (have_mmio || !parse_number(value, ~uint64_t{0}, &number) || number % 4 != 0 ||
          number % kPageSize + kPl011RegisterBytes > kPageSize) {
        snprintf(error, error_size,
                 "bad or repeated '%s' (a physical address, 4-byte aligned, the "
                 "registers within one page)",
                 arg);
        return false;
      }
      a.mmio = number;
      have_mmio = true;
    } else if (starts_with(arg, "irq=", &value)) {
      if (have_irq || !parse_number(value, kIrqMax, &number)) {
        snprintf(error, error_size, "bad or repeated '%s' (an interrupt number up to %u)", arg,
                 static_cast<unsigned>(kIrqMax));
        return false;
      }
      a.irq = static_cast<uint32_t>(number);
      have_irq = true;
    } else if (starts_with(arg, "keyboard=", &value)) {
      if (a.keyboard || strcmp(value, "i8042") != 0) {
        snprintf(error, error_size, "bad or repeated '%s' (keyboard=i8042)", arg);
        return false;
      }
      a.keyboard = true;
    } else if (starts_with(arg, "vga=", &value)) {
      if (a.vga != 0 || !parse_number(value, ~uint64_t{0}, &number) || number == 0 ||
          number % kPageSize + kVgaTextBytes > kPageSize) {
        snprintf(error, error_size,
                 "bad or repeated '%s' (the text buffer's physical address, e.g. "
                 "0xb8000, its 4000 bytes within one page)",
                 arg);
        return false;
      }
      a.vga = number;
    } else if (starts_with(arg, "fb=", &value)) {
      uint64_t field[5];
      size_t n = 0;
      bool ok = a.fb_address == 0;
      for (const char* at = value; ok && n < 5; ++n) {
        const char* comma = strchr(at, ',');
        size_t length = comma != nullptr ? static_cast<size_t>(comma - at) : strlen(at);
        ok = mica_parse_number(at, length, n == 0 ? ~uint64_t{0} : 0xffffffffu, &field[n]) == 0 &&
             field[n] != 0 && (comma != nullptr) == (n < 4);
        at = comma != nullptr ? comma + 1 : at + length;
      }
      if (!ok) {
        snprintf(error, error_size,
                 "bad or repeated '%s' (fb=ADDRESS,WIDTH,HEIGHT,PITCH,BPP, none of them 0)", arg);
        return false;
      }
      a.fb_address = field[0];
      a.fb_width = static_cast<uint32_t>(field[1]);
      a.fb_height = static_cast<uint32_t>(field[2]);
      a.fb_pitch = static_cast<uint32_t>(field[3]);
      a.fb_bpp = static_cast<uint32_t>(field[4]);
    } else {
      snprintf(error, error_size, "unknown argument '%s'", arg);
      return false;
    }
  }
  switch (a.uart) {
    case UartKind::kNone:
      snprintf(error, error_size, "no uart= given");
      return false;
    case UartKind::k16550:
      if (!have_port || have_mmio) {
        snprintf(error, error_size, "uart=16550 needs port= (and no mmio=)");
        return false;
      }
      break;
    case UartKind::kPl011:
      if (!have_mmio || have_port) {
        snprintf(error, error_size, "uart=pl011 needs mmio= (and no port=)");
        return false;
      }
      if (a.keyboard || a.vga != 0) {
        snprintf(error, error_size, "keyboard= and vga= are PC devices: uart=16550 only");
        return false;
      }
      break;
  }
  if (!have_irq) {
    snprintf(error, error_size, "no irq= given");
    return false;
  }
  *out = a;
  return true;
}

}  // namespace console
