// GDT, TSS and IDT for x86_64 (Intel SDM vol. 3A, chapters 3, 6 and 7), and
// the SYSCALL MSRs (vol. 3A, 5.8.8), per CPU.
#include <stddef.h>

#include <arch/x86/exceptions.h>
#include <arch/x86/io_ports.h>
#include <arch/x86_64/per_cpu.h>
#include <arch/x86_64/trap_frame.h>
#include <mica/config.h>

extern "C" void x86_64_syscall_entry();

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
  // The I/O permission bitmap (a set bit denies the port at CPL 3; IOPL is
  // always 0) and its trailing byte of ones; the TSS limit covers it.
  uint8_t io_bitmap[x86::kIoBitmapBytes];
};
static_assert(offsetof(Tss, io_bitmap) == 104);

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
    0x00cffa000000ffff,  // 0x18 user code, 32-bit (unused; SYSRET's STAR base)
    0x00cff2000000ffff,  // 0x20 user data (0x23 with RPL 3): STAR base + 8
    0x00affa000000ffff,  // 0x28 user code, 64-bit (0x2b): STAR base + 16
    0,                   // 0x30 TSS (two slots), filled at run time
    0,
};
alignas(8) constinit uint64_t g_gdt[kCpus][8] = {};
constinit IdtEntry g_idt[256] = {};
constinit InterruptHandler g_handlers[256] = {};

extern "C" const uint8_t trap_stubs[];

constexpr uint32_t kMsrEfer = 0xc0000080;
constexpr uint32_t kMsrStar = 0xc0000081;
constexpr uint32_t kMsrLstar = 0xc0000082;
constexpr uint32_t kMsrSfmask = 0xc0000084;
constexpr uint32_t kMsrKernelGsBase = 0xc0000102;
constexpr uint64_t kEferSyscall = 1u << 0;
// RFLAGS bits SYSCALL clears: IF (the entry runs masked until it is on the
// kernel stack with the kernel GS), DF (the ABI), TF (no single-stepping
// into the kernel), NT (a kernel IRETQ with NT set faults), AC.
constexpr uint64_t kSyscallFlagMask = (1u << 9) | (1u << 10) | (1u << 8) | (1u << 14) | (1u << 18);

uint64_t read_msr(uint32_t msr) {
  uint32_t low, high;
  asm volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(msr));
  return (uint64_t{high} << 32) | low;
}

void write_msr(uint32_t msr, uint64_t value) {
  asm volatile("wrmsr"
               :
               : "c"(msr), "a"(static_cast<uint32_t>(value)),
                 "d"(static_cast<uint32_t>(value >> 32))
               : "memory");
}

// SYSCALL enters at x86_64_syscall_entry with the kernel's CS/SS; SYSRET
// returns with the user selectors (STAR[63:48] + 16 and + 8, RPL 3). The
// user GS base (swapped in at every exit) starts at 0.
void init_syscall() {
  write_msr(kMsrEfer, read_msr(kMsrEfer) | kEferSyscall);
  write_msr(kMsrStar,
            (uint64_t{SELECTOR_SYSRET_BASE} << 48) | (uint64_t{SELECTOR_KERNEL_CODE} << 32));
  write_msr(kMsrLstar, reinterpret_cast<uint64_t>(&x86_64_syscall_entry));
  write_msr(kMsrSfmask, kSyscallFlagMask);
  write_msr(kMsrKernelGsBase, 0);
}

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
  init_syscall();
}

// CPU `cpu`'s GDT and TSS.
void fill_cpu_tables(unsigned cpu) {
  Tss& tss = g_tss[cpu];
  for (unsigned i = 0; i < 3; ++i) {
    tss.ist[i] = reinterpret_cast<uint64_t>(g_ist_stacks[cpu][i] + kIstStackSize);
  }
  tss.io_map_base = offsetof(Tss, io_bitmap);
  PerCpu& per_cpu = x86_64::cpu(cpu);
  per_cpu.tss_rsp0 = &tss.rsp[0];
  x86::init_tss_io_bitmap(tss.io_bitmap, per_cpu.io_extent);
  per_cpu.io_ports_loaded = nullptr;
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

uint8_t* tss_io_bitmap(unsigned cpu) {
  return g_tss[cpu].io_bitmap;
}

void set_interrupt_handler(uint8_t vector, InterruptHandler handler) {
  g_handlers[vector] = handler;
}

InterruptHandler interrupt_handler(uint8_t vector) {
  return g_handlers[vector];
}

}  // namespace arch::x86_64
