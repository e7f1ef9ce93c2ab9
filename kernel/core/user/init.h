// Starting the first user process (init, which is the router).
//
// The kernel knows no executable format. The ramdisk boot module begins
// with init as a flat image (sysroot/include/mica/flat_image.h: a 24-byte
// header of offsets, then text, rodata and data, linked at
// MICA_FLAT_IMAGE_BASE); the rest of the module, from the next page on, is
// the ramdisk proper (a tar archive), which init gets as a memory object.
#pragma once

#include <core/boot/boot_info.h>
#include <lib/result.h>
#include <mica/syscall.h>

namespace user {

class Process;

// Loads init from the ramdisk and starts it with the kernel command line as
// its arguments and handles to itself, the root hardware resource and the
// ramdisk. kNotFound without a ramdisk module, kBadFormat for a bad header.
lib::Result<Process*> start_init(const boot::BootInfo& info);

// The boot loader's framebuffer, as start_init found it (address 0: none),
// for MICA_SYS_SYSTEM_INFO.
const boot::Framebuffer& boot_framebuffer();

// Validates a flat image header against the module size; exposed for host
// tests. On success *text_end etc. are byte offsets from the image base.
struct FlatLayout {
  uint32_t entry, text_end, rodata_end, file_size, memory_size;
};
lib::Result<FlatLayout> parse_flat_image(const uint8_t* module, size_t module_size);

}  // namespace user
