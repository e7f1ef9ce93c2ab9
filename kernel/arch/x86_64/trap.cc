// x86_64 trap dispatch: exceptions from user mode end the process (through
// core's handle_fault); from the kernel they are decoded and reported, except
// faults in the user-memory copy routine, which resume at its fixup.
// Interrupts go to their registered handler.
#include <arch/platform.h>
#include <arch/x86/cpu_hooks.h>
#include <arch/x86/exceptions.h>
#include <arch/x86/fpu.h>
#include <arch/x86_64/per_cpu.h>
#include <arch/x86_64/trap_frame.h>
#include <core/backtrace.h>
#include <core/console.h>
#include <core/user/entry.h>

extern "C" const uint8_t x86_64_copy_user_access[], x86_64_copy_user_fixup[];
extern "C" const uint8_t x86_64_syscall_entry[];

namespace arch::x86_64 {
InterruptHandler interrupt_handler(uint8_t vector);
void return_to_user(TrapFrame& frame);
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

uint64_t read_cr2() {
  uint64_t address;
  asm volatile("mov %%cr2, %0" : "=r"(address));
  return address;
}

// An exception from ring 3, as core reports it.
user::Fault user_fault(const TrapFrame& frame) {
  using user::FaultKind;
  namespace x86 = arch::x86;
  user::Fault fault{.ip = frame.rip, .arch_code = static_cast<uint32_t>(frame.vector)};
  switch (frame.vector) {
    case x86::kDivideError:
      fault.kind = FaultKind::kDivide;
      break;
    case x86::kDebug:
    case x86::kBreakpoint:
      fault.kind = FaultKind::kBreakpoint;
      break;
    case x86::kInvalidOpcode:
      fault.kind = FaultKind::kIllegalInstruction;
      break;
    case x86::kDeviceNotAvailable:
    case x86::kFpuError:
    case x86::kSimdError:
      fault.kind = FaultKind::kFpu;
      break;
    case x86::kInvalidTss:
    case x86::kSegmentNotPresent:
    case x86::kStackFault:
    case x86::kGeneralProtection:
    case x86::kControlProtection:
      fault.kind = FaultKind::kProtection;
      break;
    case x86::kPageFault:
      fault.kind = FaultKind::kPage;
      fault.address = read_cr2();
      fault.write = (frame.error & x86::kPfWrite) != 0;
      fault.execute = (frame.error & x86::kPfInstructionFetch) != 0;
      fault.present = (frame.error & x86::kPfPresent) != 0;
      break;
    case x86::kAlignmentCheck:
      fault.kind = FaultKind::kAlignment;
      break;
    default:
      fault.kind = FaultKind::kOther;
      break;
  }
  return fault;
}

// NMI, double fault and machine check use IST stacks and may arrive in the
// kernel between the SWAPGS and the SYSRET/IRETQ of an exit to ring 3 (or
// before the entry's SWAPGS), with the user's GS base: put the kernel's
// back so the report can use per-CPU data. They panic, so no swap back.
void ensure_kernel_gs() {
  uint32_t low, high;
  asm volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(0xc0000101u));
  if ((high & 0x80000000u) == 0) asm volatile("swapgs" ::: "memory");
}

}  // namespace

extern "C" void x86_64_trap(TrapFrame* frame) {
  namespace x86 = arch::x86;
  if (frame->vector < x86::kFirstInterrupt) {
    bool hardware = frame->vector == x86::kNmi || frame->vector == x86::kDoubleFault ||
                    frame->vector == x86::kMachineCheck;
    if (hardware) {
      ensure_kernel_gs();
    } else if (frame->from_user()) {
      // CR2 is read before interrupts are enabled (a nested fault would
      // replace it).
      user::Fault fault = user_fault(*frame);
      arch::Platform::enable_interrupts();
      user::handle_fault(fault);
    } else if ((frame->vector == x86::kPageFault || frame->vector == x86::kGeneralProtection) &&
               frame->rip == reinterpret_cast<uint64_t>(x86_64_copy_user_access)) {
      frame->rip = reinterpret_cast<uint64_t>(x86_64_copy_user_fixup);
      return;
    } else if (frame->vector == x86::kDebug &&
               frame->rip == reinterpret_cast<uint64_t>(x86_64_syscall_entry)) {
      // A SYSCALL with TF set traps after it, at the entry's first
      // instruction (still on the user's stack and GS): SFMASK has cleared
      // TF already, so just go on.
      return;
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
  if (frame->from_user()) {
    arch::x86_64::PerCpu& cpu = arch::x86_64::this_cpu();
    cpu.user_interrupts = cpu.user_interrupts + 1;
  }
  arch::x86::interrupt_exit();
  if (frame->from_user()) arch::x86_64::return_to_user(*frame);
}
