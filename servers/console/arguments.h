// The console server's command line:
//
//   console [selftest] uart=16550 port=PORT irq=IRQ [keyboard=i8042] [vga=ADDRESS]
//   console [selftest] uart=pl011 mmio=ADDRESS irq=IRQ
//   ... [fb=ADDRESS,WIDTH,HEIGHT,PITCH,BPP]   (either UART)
//
// Numbers are decimal or 0x-prefixed hexadecimal. PC COM1 is
// `uart=16550 port=0x3f8 irq=4`; the Raspberry Pi 3's PL011 `uart=pl011
// mmio=0x3f201000 irq=57` (the Pi 4's at mmio=0xfe201000). A PC adds its
// own keyboard and screen beside the serial port: `keyboard=i8042` (the
// PS/2 controller at ports 0x60 and 0x64, IRQ 1) and `vga=0xb8000` (the
// VGA text buffer, its cursor at CRTC ports 0x3d4/0x3d5); both need x86 I/O
// ports, so they come with uart=16550 only. Pure parsing, no system calls,
// so that the host tests cover it.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace console {

enum class UartKind {
  kNone,
  k16550,  // x86 port I/O, 8 registers
  kPl011,  // ARM PrimeCell UART, memory-mapped
};

struct Arguments {
  bool selftest = false;  // read one line, show it, exit (boot tests)
  UartKind uart = UartKind::kNone;
  uint32_t port = 0;  // 16550: the first I/O port
  uint64_t mmio = 0;  // PL011: the physical address of its registers
  uint32_t irq = 0;
  bool keyboard = false;  // the i8042 PS/2 keyboard as a second input
  uint64_t vga = 0;       // the VGA text buffer's physical address; 0: none
  // The boot framebuffer (fb=ADDRESS,WIDTH,HEIGHT,PITCH,BPP, which the
  // router adds when there is one): address 0 for none.
  uint64_t fb_address = 0;
  uint32_t fb_width = 0, fb_height = 0, fb_pitch = 0, fb_bpp = 0;
};

// The usage text, one line per form, each ending in '\n'.
extern const char kUsage[];

// Parses argv[1..argc) into *out. On failure returns false with a one-line
// message (no '\n') in error[0..error_size).
bool parse_arguments(int argc, const char* const* argv, Arguments* out, char* error,
                     size_t error_size);

}  // namespace console
