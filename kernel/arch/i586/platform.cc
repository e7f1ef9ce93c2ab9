#include <arch/platform.h>
#include <core/console.h>

namespace arch {

void Platform::dump_registers() {
  uint32_t esp, ebp, eflags, cr0, cr2, cr3, cr4;
  asm volatile("mov %%esp, %0" : "=r"(esp));
  asm volatile("mov %%ebp, %0" : "=r"(ebp));
  asm volatile("pushfl; pop %0" : "=r"(eflags));
  asm volatile("mov %%cr0, %0" : "=r"(cr0));
  asm volatile("mov %%cr2, %0" : "=r"(cr2));
  asm volatile("mov %%cr3, %0" : "=r"(cr3));
  asm volatile("mov %%cr4, %0" : "=r"(cr4));
  auto caller = reinterpret_cast<uint32_t>(__builtin_return_address(0));
  kprintf("  eip 0x%08x (caller)  esp 0x%08x  ebp 0x%08x  eflags 0x%08x\n", caller, esp, ebp,
          eflags);
  kprintf("  cr0 0x%08x  cr2 0x%08x  cr3 0x%08x  cr4 0x%08x\n", cr0, cr2, cr3, cr4);
}

}  // namespace arch
