// GDT, TSS and IDT for i586 (Intel SDM vol. 3A, chapters 3, 6 and 7). A
// double fault switches to its own task (a task gate with a second TSS and
// stack), so a kernel stack overflow is still reported. User mode enters
// through `int $0x80`, int3 and into (DPL 3 gates); the TSS carries the
// running process's I/O permission bitmap and a GDT slot its thread pointer.
#include <stddef.h>

#include <arch/i586/trap_frame.h>
#include <arch/x86/exceptions.h>
#include <arch/x86/io_ports.h>

extern "C" [[noreturn]] void i586_double_fault_task();
extern "C" void i586_syscall_entry();

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

// The CPU's TSS and, right after it (io_map_base), the I/O bitmap; the
// descriptor's limit covers both.
struct [[gnu::packed]] TssWithIoBitmap {
  Tss tss;
  uint8_t io_bitmap[x86::kIoBitmapBytes];
};

alignas(128) constinit TssWithIoBitmap g_cpu_tss = {};
constinit uint32_t g_io_bitmap_extent = 0;
constinit Tss g_double_fault_tss = {};
constexpr unsigned kTlsSlot = kUserTlsSelector / 8;
constinit uint64_t g_gdt[8] = {
    0,
    0x00cf9a000000ffff,  // 0x08 kernel code
    0x00cf92000000ffff,  // 0x10 kernel data
    0x00cffa000000ffff,  // 0x18 user code
    0x00cff2000000ffff,  // 0x20 user data
    0,                   // 0x28 TSS
    0,                   // 0x30 double-fault TSS
    0x00cff2000000ffff,  // 0x38 user thread pointer (base set per thread)
};
constinit IdtEntry g_idt[256] = {};
constinit InterruptHandler g_handlers[256] = {};

extern "C" const uint8_t trap_stubs[];

uint64_t tss_descriptor(const void* tss, uint32_t size) {
  uint64_t base = reinterpret_cast<uint32_t>(tss);
  uint64_t limit = size - 1;
  return (limit & 0xffff) | ((base & 0xffffff) << 16) | (uint64_t{0x89} << 40) |
         (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
}

}  // namespace

void init_descriptor_tables() {
  g_cpu_tss.tss.ss0 = kKernelData;
  g_cpu_tss.tss.io_map_base = offsetof(TssWithIoBitmap, io_bitmap);
  x86::init_tss_io_bitmap(g_cpu_tss.io_bitmap, g_io_bitmap_extent);  // every port denied

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

  g_gdt[5] = tss_descriptor(&g_cpu_tss, sizeof(g_cpu_tss));
  g_gdt[6] = tss_descriptor(&g_double_fault_tss, sizeof(g_double_fault_tss));

  for (unsigned vector = 0; vector < 256; ++vector) {
    uint32_t stub = reinterpret_cast<uint32_t>(trap_stubs) + vector * 16;
    g_idt[vector] = IdtEntry{static_cast<uint16_t>(stub), kKernelCode, 0, 0x8e,
                             static_cast<uint16_t>(stub >> 16)};
  }
  g_idt[x86::kDoubleFault] = IdtEntry{0, kDoubleFaultTssSelector, 0, 0x85, 0};  // task gate
  // Gates user mode may name with `int n` (DPL 3); any other vector from user
  // mode is a general-protection fault.
  g_idt[x86::kBreakpoint].type = 0xee;
  g_idt[x86::kOverflow].type = 0xee;
  auto syscall = reinterpret_cast<uint32_t>(&i586_syscall_entry);
  g_idt[kSyscallVector] = IdtEntry{static_cast<uint16_t>(syscall), kKernelCode, 0, 0xee,
                                   static_cast<uint16_t>(syscall >> 16)};

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

void set_tss_kernel_stack(uint32_t stack_top) {
  g_cpu_tss.tss.esp0 = stack_top;
}

void set_tls_base(uint32_t base) {
  constexpr uint64_t kBaseMask = 0xff0000ffffff0000;  // bits 16-39 and 56-63
  g_gdt[kTlsSlot] = (g_gdt[kTlsSlot] & ~kBaseMask) | (uint64_t{base & 0xffffff} << 16) |
                    (uint64_t{base >> 24} << 56);
}

uint8_t* tss_io_bitmap() {
  return g_cpu_tss.io_bitmap;
}

uint32_t& tss_io_bitmap_extent() {
  return g_io_bitmap_extent;
}

// Where the faulting context was, for the double-fault report.
uint32_t faulting_eip() {
  return g_cpu_tss.tss.eip;
}
uint32_t faulting_esp() {
  return g_cpu_tss.tss.esp;
}

}  // namespace arch::i586
