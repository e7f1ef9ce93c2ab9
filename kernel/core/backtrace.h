// Kernel backtraces, symbolized with the kernel's own symbol table.
//
// The kernel is linked twice: the first link's symbols (llvm-nm) become a
// table (build/kernel_symbols.py) that the second, final link includes. Text
// addresses do not move between the two links because the table lives in
// .rodata, after .text.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace backtrace {

// The function containing `address` and the offset into it; nullptr if
// unknown (no table, or outside the kernel's text).
const char* symbolize(uintptr_t address, uintptr_t* offset);

// Prints "  #0 0x... function+0x12" for `pc`, then for each return address
// found by following the frame-pointer chain from `frame_pointer` (every arch
// mica supports keeps {previous frame pointer, return address} at the frame
// pointer; the kernel is built with -fno-omit-frame-pointer). Stops after 32
// frames, at a null or misaligned frame pointer, or one that does not
// increase.
void print(uintptr_t pc, uintptr_t frame_pointer);

}  // namespace backtrace
