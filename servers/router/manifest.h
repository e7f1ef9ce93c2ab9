// One line of the router's manifest (etc/servers, written by GN's
// server_manifest_line, //build/server.gni):
//
//   NAME [ramdisk] [framebuffer] [HARDWARE...] [-- ARG...]
//
// HARDWARE is what the server may claim, turned into the ranges of its own
// narrowed resource (MICA_SYS_RESOURCE_CREATE): ports=BASE+COUNT,
// mmio=BASE+SIZE, irq=N, irq=FIRST-LAST, system; numbers decimal or 0x-hex.
// Pure code (<mica/syscall.h> for the range type, no calls): unit-tested on
// the host.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <mica/syscall.h>

namespace router {

constexpr size_t kMaxArgs = 16;

struct ManifestLine {
  char* argv[kMaxArgs + 1] = {};  // argv[0] is NAME; null-terminated
  int argc = 0;
  bool ramdisk = false;
  bool framebuffer = false;  // gets the boot framebuffer, if there is one
  mica_resource_range hardware[MICA_RESOURCE_MAX_RANGES] = {};
  size_t hardware_count = 0;  // 0: the server gets no resource
};

// Splits `line` (modified in place: the words of argv point into it) into
// *out. Returns nullptr, or the word that is wrong (an unknown option, a
// malformed or wrapping range, too many ranges or arguments, no NAME).
const char* parse_manifest_line(char* line, ManifestLine* out);

// Parses one hardware field ("ports=0x3f8+8") into *range; false if it is
// not one.
bool parse_hardware(const char* field, mica_resource_range* range);

}  // namespace router
