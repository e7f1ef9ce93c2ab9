// GDT, TSS and IDT for x86_64 (Intel SDM vol. 3A, chapters 3, 6 and 7).
#include <stddef.h>

#include <arch/x86/exceptions.h>
#include <arch/x86_64/trap_frame.h>
#include <mica/config.h>

namespace arch::x86_64 {
namespace {

struct [[gnu::packed]] Tss {
  uint32_t reserved0;
  uint64_t rsp[3];
  uint64_t reserved1;
  uint64_t ist[7];
  uint64_t reserved2;
  uint16_t reserved3;
  uint16_t io_map_base;
};

struct [[gnu::packed]] IdtEntry {
  uint16_t offset_low;
  uint16_t selector;
  uint8_t ist;
  uint8_t type;
  uint16_t offset_mid;
  uint32_t offset_high;
  uint32_t reserved;
};

struct [[gnu::packed]] TablePointer {
  uint16_t limit;
  uint64_t base;
};

// Interrupt stacks, per CPU: a double fault (e.g. a kernel stack overflow
// into its guard page), an NMI or a machine check runs on a known-good stack.
constexpr size_t kIstStackSize = 8192;
enum IstIndex : uint8_t { kIstDoubleFault = 1, kIstNmi = 2, kIstMachineCheck = 3 };
constexpr unsigned kCpus = mica::config::kMaxCpus;
alignas(16) constinit uint8_t g_ist_stacks[kCpus][3][kIstStackSize] = {};

// Each CPU has its own TSS, so its own GDT (the TSS descriptor differs, and
// LTR marks it busy); the IDT is shared.
constinit Tss g_tss[kCpus] = {};
constexpr uint64_t kGdtTemplate[8] = {
    0,
    0x00af9a000000ffff,  // 0x08 kernel code, 64-bit
    0x00cf92000000ffff,  // 0x10 kernel data
    0x00cffa000000ffff,  // 0x18 user code, 32-bit (unused; SYSRET layout)
    0x00cff2000000ffff,  // 0x20 user data
    0x00affa000000ffff,  // 0x28 user code, 64-bit
    0,                   // 0x30 TSS (two slots), filled at run time
    0,
};
alignas(8) constinit uint64_t g_gdt[kCpus][8] = {};
constinit IdtEntry g_idt[256] = {};
constinit InterruptHandler g_handlers[256] = {};

extern "C" const uint8_t trap_stubs[];

void load_tables(unsigned cpu) {
  TablePointer gdt{sizeof(g_gdt[cpu]) - 1, reinterpret_cast<uint64_t>(g_gdt[cpu])};
  asm volatile("lgdt %0" : : "m"(gdt));
  // Reload CS with a far return, and the data segments.
  asm volatile(
      "pushq %[code]\n"
      "leaq 1f(%%rip), %%rax\n"
      "pushq %%rax\n"
      "lretq\n"
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
      : "rax", "memory");
  asm volatile("ltr %w0" : : "r"(kTssSelector));
  TablePointer idt{sizeof(g_idt) - 1, reinterpret_cast<uint64_t>(g_idt)};
  asm volatile("lidt %0" : : "m"(idt));
}

// CPU `cpu`'s GDT and TSS.
void fill_cpu_tables(unsigned cpu) {
  Tss& tss = g_tss[cpu];
  for (unsigned i = 0; i < 3; ++i) {
    tss.ist[i] = reinterpret_cast<uint64_t>(g_ist_stacks[cpu][i] + kIstStackSize);
  }
  tss.io_map_base = sizeof(Tss);  // no I/O bitmap yet: every port faults in user mode
  uint64_t* gdt = g_gdt[cpu];
  for (unsigned i = 0; i < 8; ++i) gdt[i] = kGdtTemplate[i];
  uint64_t base = reinterpret_cast<uint64_t>(&tss);
  uint64_t limit = sizeof(Tss) - 1;
  gdt[6] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (uint64_t{0x89} << 40) |
           (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
  gdt[7] = base >> 32;
}

}  // namespace

void init_descriptor_tables() {
  fill_cpu_tables(0);

  for (unsigned vector = 0; vector < 256; ++vector) {
    uint64_t stub = reinterpret_cast<uint64_t>(trap_stubs) + vector * 16;
    IdtEntry& entry = g_idt[vector];
    entry.offset_low = static_cast<uint16_t>(stub);
    entry.selector = kKernelCode;
    entry.type = 0x8e;  // present, DPL 0, 64-bit interrupt gate
    entry.offset_mid = static_cast<uint16_t>(stub >> 16);
    entry.offset_high = static_cast<uint32_t>(stub >> 32);
  }
  g_idt[x86::kDoubleFault].ist = kIstDoubleFault;
  g_idt[x86::kNmi].ist = kIstNmi;
  g_idt[x86::kMachineCheck].ist = kIstMachineCheck;
  load_tables(0);
}

void init_cpu_descriptor_tables(unsigned cpu) {
  fill_cpu_tables(cpu);
  load_tables(cpu);
}

void set_interrupt_handler(uint8_t vector, InterruptHandler handler) {
  g_handlers[vector] = handler;
}

InterruptHandler interrupt_handler(uint8_t vector) {
  return g_handlers[vector];
}

}  // namespace arch::x86_64
