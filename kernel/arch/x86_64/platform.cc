#include <arch/platform.h>
#include <core/console.h>

namespace arch {

void Platform::dump_registers() {
  uint64_t rsp, rbp, rflags, cr0, cr2, cr3, cr4;
  asm volatile("mov %%rsp, %0" : "=r"(rsp));
  asm volatile("mov %%rbp, %0" : "=r"(rbp));
  asm volatile("pushfq; pop %0" : "=r"(rflags));
  asm volatile("mov %%cr0, %0" : "=r"(cr0));
  asm volatile("mov %%cr2, %0" : "=r"(cr2));
  asm volatile("mov %%cr3, %0" : "=r"(cr3));
  asm volatile("mov %%cr4, %0" : "=r"(cr4));
  auto caller = reinterpret_cast<uint64_t>(__builtin_return_address(0));
  kprintf("  rip 0x%016lx (caller)  rsp 0x%016lx  rbp 0x%016lx  rflags 0x%08lx\n", caller, rsp, rbp,
          rflags);
  kprintf("  cr0 0x%016lx  cr2 0x%016lx  cr3 0x%016lx  cr4 0x%016lx\n", cr0, cr2, cr3, cr4);
}

}  // namespace arch
