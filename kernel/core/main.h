// The arch-free kernel entry.
#pragma once

#include <core/boot/boot_info.h>

// Called once, on the boot CPU, by the arch entry after it has filled `info`
// and made the console usable. Never returns.
[[noreturn]] void kernel_main(boot::BootInfo& info);
