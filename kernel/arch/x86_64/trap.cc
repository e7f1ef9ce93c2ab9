// x86_64 trap dispatch: exceptions are decoded and reported; interrupts go to
// their registered handler.
#include <arch/platform.h>
#include <arch/x86/cpu_hooks.h>
#include <arch/x86/exceptions.h>
#include <arch/x86/fpu.h>
#include <arch/x86_64/per_cpu.h>
#include <arch/x86_64/trap_frame.h>
#include <core/backtrace.h>
#include <core/console.h>

namespace arch::x86_64 {
InterruptHandler interrupt_handler(uint8_t vector);
}  // namespace arch::x86_64

namespace {

using arch::x86_64::TrapFrame;

void print_frame(const TrapFrame& f) {
  kprintf("  rax %016lx  rbx %016lx  rcx %016lx  rdx %016lx\n", f.rax, f.rbx, f.rcx, f.rdx);
  kprintf("  rsi %016lx  rdi %016lx  rbp %016lx  rsp %016lx\n", f.rsi, f.rdi, f.rbp, f.rsp);
  kprintf("  r8  %016lx  r9  %016lx  r10 %016lx  r11 %016lx\n", f.r8, f.r9, f.r10, f.r11);
  kprintf("  r12 %016lx  r13 %016lx  r14 %016lx  r15 %016lx\n", f.r12, f.r13, f.r14, f.r15);
  kprintf("  rip %016lx  cs %04lx  rflags %08lx  ss %04lx  error %lx\n", f.rip, f.cs, f.rflags,
          f.ss, f.error);
}

[[noreturn]] void exception(const TrapFrame& frame) {
  const char* name = arch::x86::exception_name(static_cast<unsigned>(frame.vector));
  kprintf("\nmica: %s (vector %lu) in %s mode\n", name, frame.vector,
          frame.from_user() ? "user" : "kernel");
  if (frame.vector == arch::x86::kPageFault) {
    uint64_t address;
    asm volatile("mov %%cr2, %0" : "=r"(address));
    char access[96];
    arch::x86::describe_page_fault(frame.error, access, sizeof(access));
    kprintf("mica: page fault at %#lx (%s), ip %#lx\n", address, access, frame.rip);
  }
  print_frame(frame);
  backtrace::print(frame.rip, frame.rbp);
  panic("unhandled %s at ip %#lx", name, frame.rip);
}

}  // namespace

extern "C" void x86_64_trap(TrapFrame* frame) {
  if (frame->vector < arch::x86::kFirstInterrupt) {
    // The first FPU/SSE instruction after a thread switch: lazy FPU load.
    if (frame->vector == arch::x86::kDeviceNotAvailable) {
      arch::x86_64::PerCpu& cpu = arch::x86_64::this_cpu();
      if (arch::x86::fpu_device_not_available(cpu.fpu, cpu.index)) return;
      kprintf("\nmica: FPU instruction in a thread without FPU state\n");
    }
    exception(*frame);
  }
  auto handler = arch::x86_64::interrupt_handler(static_cast<uint8_t>(frame->vector));
  if (handler != nullptr) {
    handler(*frame);
  } else {
    kprintf("mica: unexpected interrupt, vector %lu\n", frame->vector);
  }
  // Core may switch threads here; this frame is resumed when it switches
  // back, through the iretq in trap_entry.S.
  arch::x86::interrupt_exit();
}
