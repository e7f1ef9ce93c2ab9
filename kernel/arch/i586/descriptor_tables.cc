// GDT, TSS and IDT for i586 (Intel SDM vol. 3A, chapters 3, 6 and 7). A
// double fault switches to its own task (a task gate with a second TSS and
// stack), so a kernel stack overflow is still reported.
#include <stddef.h>

#include <arch/i586/trap_frame.h>
#include <arch/x86/exceptions.h>

extern "C" [[noreturn]] void i586_double_fault_task();

namespace arch::i586 {
namespace {

struct [[gnu::packed]] Tss {
  uint16_t link, reserved0;
  uint32_t esp0;
  uint16_t ss0, reserved1;
  uint32_t esp1;
  uint16_t ss1, reserved2;
  uint32_t esp2;
  uint16_t ss2, reserved3;
  uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
  uint16_t es, reserved4, cs, reserved5, ss, reserved6, ds, reserved7, fs, reserved8, gs, reserved9,
      ldt, reserved10, trap, io_map_base;
};

struct [[gnu::packed]] IdtEntry {
  uint16_t offset_low;
  uint16_t selector;
  uint8_t reserved;
  uint8_t type;
  uint16_t offset_high;
};

struct [[gnu::packed]] TablePointer {
  uint16_t limit;
  uint32_t base;
};

constexpr size_t kDoubleFaultStackSize = 8192;
alignas(16) constinit uint8_t g_double_fault_stack[kDoubleFaultStackSize] = {};

constinit Tss g_tss = {};
constinit Tss g_double_fault_tss = {};
constinit uint64_t g_gdt[7] = {
    0,
    0x00cf9a000000ffff,  // 0x08 kernel code
    0x00cf92000000ffff,  // 0x10 kernel data
    0x00cffa000000ffff,  // 0x18 user code
    0x00cff2000000ffff,  // 0x20 user data
    0,                   // 0x28 TSS
    0,                   // 0x30 double-fault TSS
};
constinit IdtEntry g_idt[256] = {};
constinit InterruptHandler g_handlers[256] = {};

extern "C" const uint8_t trap_stubs[];

uint64_t tss_descriptor(const Tss* tss) {
  uint64_t base = reinterpret_cast<uint32_t>(tss);
  uint64_t limit = sizeof(Tss) - 1;
  return (limit & 0xffff) | ((base & 0xffffff) << 16) | (uint64_t{0x89} << 40) |
         (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
}

}  // namespace

void init_descriptor_tables() {
  g_tss.ss0 = kKernelData;
  g_tss.io_map_base = sizeof(Tss);  // no I/O bitmap yet: every port faults in user mode

  // The double-fault task: runs i586_double_fault_task on its own stack, in
  // the kernel's address space.
  uint32_t cr3;
  asm volatile("mov %%cr3, %0" : "=r"(cr3));
  g_double_fault_tss.cr3 = cr3;
  g_double_fault_tss.eip = reinterpret_cast<uint32_t>(&i586_double_fault_task);
  g_double_fault_tss.eflags = 0x2;
  g_double_fault_tss.esp = reinterpret_cast<uint32_t>(g_double_fault_stack + kDoubleFaultStackSize);
  g_double_fault_tss.cs = kKernelCode;
  g_double_fault_tss.ss = g_double_fault_tss.ds = g_double_fault_tss.es = kKernelData;
  g_double_fault_tss.io_map_base = sizeof(Tss);

  g_gdt[5] = tss_descriptor(&g_tss);
  g_gdt[6] = tss_descriptor(&g_double_fault_tss);

  for (unsigned vector = 0; vector < 256; ++vector) {
    uint32_t stub = reinterpret_cast<uint32_t>(trap_stubs) + vector * 16;
    g_idt[vector] = IdtEntry{static_cast<uint16_t>(stub), kKernelCode, 0, 0x8e,
                             static_cast<uint16_t>(stub >> 16)};
  }
  g_idt[x86::kDoubleFault] = IdtEntry{0, kDoubleFaultTssSelector, 0, 0x85, 0};  // task gate

  TablePointer gdt{sizeof(g_gdt) - 1, reinterpret_cast<uint32_t>(g_gdt)};
  asm volatile("lgdt %0" : : "m"(gdt));
  asm volatile(
      "ljmp %[code], $1f\n"
      "1:\n"
      "mov %[data], %%ax\n"
      "mov %%ax, %%ds\n"
      "mov %%ax, %%es\n"
      "mov %%ax, %%ss\n"
      "xor %%eax, %%eax\n"
      "mov %%ax, %%fs\n"
      "mov %%ax, %%gs\n"
      :
      : [code] "i"(kKernelCode), [data] "i"(kKernelData)
      : "eax", "memory");
  asm volatile("ltr %w0" : : "r"(kTssSelector));
  TablePointer idt{sizeof(g_idt) - 1, reinterpret_cast<uint32_t>(g_idt)};
  asm volatile("lidt %0" : : "m"(idt));
}

void set_interrupt_handler(uint8_t vector, InterruptHandler handler) {
  g_handlers[vector] = handler;
}

InterruptHandler interrupt_handler(uint8_t vector) {
  return g_handlers[vector];
}

// Where the faulting context was, for the double-fault report.
uint32_t faulting_eip() {
  return g_tss.eip;
}
uint32_t faulting_esp() {
  return g_tss.esp;
}

}  // namespace arch::i586
