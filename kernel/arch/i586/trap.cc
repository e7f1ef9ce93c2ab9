// i586 trap dispatch: exceptions are decoded and reported; interrupts go to
// their registered handler.
#include <arch/i586/trap_frame.h>
#include <arch/platform.h>
#include <arch/x86/cpu_hooks.h>
#include <arch/x86/exceptions.h>
#include <arch/x86/fpu.h>
#include <arch/x86/thread.h>
#include <core/backtrace.h>
#include <core/console.h>

namespace arch::i586 {
InterruptHandler interrupt_handler(uint8_t vector);
uint32_t faulting_eip();
uint32_t faulting_esp();
}  // namespace arch::i586

namespace {

using arch::i586::TrapFrame;

void print_frame(const TrapFrame& f) {
  kprintf("  eax %08x  ebx %08x  ecx %08x  edx %08x\n", f.eax, f.ebx, f.ecx, f.edx);
  kprintf("  esi %08x  edi %08x  ebp %08x  esp %08x\n", f.esi, f.edi, f.ebp, f.esp_at_trap + 20);
  kprintf("  eip %08x  cs %04x  eflags %08x  error %x\n", f.eip, f.cs, f.eflags, f.error);
}

[[noreturn]] void exception(const TrapFrame& frame) {
  const char* name = arch::x86::exception_name(frame.vector);
  kprintf("\nmica: %s (vector %u) in %s mode\n", name, frame.vector,
          frame.from_user() ? "user" : "kernel");
  if (frame.vector == arch::x86::kPageFault) {
    uint32_t address;
    asm volatile("mov %%cr2, %0" : "=r"(address));
    char access[96];
    arch::x86::describe_page_fault(frame.error, access, sizeof(access));
    kprintf("mica: page fault at %#x (%s), ip %#x\n", address, access, frame.eip);
  }
  print_frame(frame);
  backtrace::print(frame.eip, frame.ebp);
  panic("unhandled %s at ip %#x", name, frame.eip);
}

}  // namespace

extern "C" void i586_trap(TrapFrame* frame) {
  if (frame->vector < arch::x86::kFirstInterrupt) {
    // The first FPU instruction after a thread switch: lazy FPU load.
    if (frame->vector == arch::x86::kDeviceNotAvailable) {
      if (arch::x86::fpu_device_not_available(arch::x86::this_cpu_fpu(), 0)) return;
      kprintf("\nmica: FPU instruction in a thread without FPU state\n");
    }
    exception(*frame);
  }
  auto handler = arch::i586::interrupt_handler(static_cast<uint8_t>(frame->vector));
  if (handler != nullptr) {
    handler(*frame);
  } else {
    kprintf("mica: unexpected interrupt, vector %u\n", frame->vector);
  }
  // Core may switch threads here; this frame is resumed when it switches
  // back, through the iret in trap_entry.S.
  arch::x86::interrupt_exit();
}

// Entered by the task switch of a double fault, on its own stack.
extern "C" void i586_double_fault_task() {
  kprintf("\nmica: double fault in kernel mode (kernel stack overflow?)\n");
  kprintf("  eip %08x  esp %08x\n", arch::i586::faulting_eip(), arch::i586::faulting_esp());
  panic("double fault at ip %#x", arch::i586::faulting_eip());
}
