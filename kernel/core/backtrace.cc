#include <arch/platform.h>
#include <core/backtrace.h>
#include <core/console.h>

namespace {

struct KernelSymbol {
  uintptr_t address;
  uintptr_t name_offset;
};

}  // namespace

// Emitted by build/kernel_symbols.py into the final link; absent (null) in
// the first one.
extern "C" [[gnu::weak]] const KernelSymbol __kernel_symbols[];
extern "C" [[gnu::weak]] const uintptr_t __kernel_symbol_count;
extern "C" [[gnu::weak]] const char __kernel_symbol_names[];

namespace backtrace {

const char* symbolize(uintptr_t address, uintptr_t* offset) {
  if (&__kernel_symbol_count == nullptr || __kernel_symbols == nullptr) return nullptr;
  size_t count = __kernel_symbol_count;
  if (count == 0 || address < __kernel_symbols[0].address) return nullptr;
  // The last symbol at or below `address` (the table is sorted).
  size_t low = 0, high = count;
  while (high - low > 1) {
    size_t mid = low + (high - low) / 2;
    if (__kernel_symbols[mid].address <= address)
      low = mid;
    else
      high = mid;
  }
  // The final entry is the end of .text: nothing lies beyond it.
  if (low == count - 1) return nullptr;
  *offset = address - __kernel_symbols[low].address;
  return __kernel_symbol_names + __kernel_symbols[low].name_offset;
}

void print(uintptr_t pc, uintptr_t frame_pointer) {
  kprintf("backtrace:\n");
  uintptr_t address = pc;
  for (int depth = 0; depth < 32; ++depth) {
    uintptr_t offset = 0;
    const char* name = symbolize(address, &offset);
    if (name != nullptr) {
      kprintf("  #%d %#lx %s+%#lx\n", depth, static_cast<unsigned long>(address), name,
              static_cast<unsigned long>(offset));
    } else {
      kprintf("  #%d %#lx\n", depth, static_cast<unsigned long>(address));
    }
    if (frame_pointer == 0 || frame_pointer % sizeof(uintptr_t) != 0 ||
        !arch::Platform::is_kernel_stack_address(frame_pointer)) {
      break;
    }
    auto* frame = reinterpret_cast<const uintptr_t*>(frame_pointer);
    uintptr_t next = frame[0];
    address = frame[1];
    if (address == 0 || next <= frame_pointer) break;
    frame_pointer = next;
  }
}

}  // namespace backtrace
