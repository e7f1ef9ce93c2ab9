// i586 trap dispatch: exceptions from user mode end the process (core's
// user::handle_fault); from kernel mode they are decoded and reported, except
// faults inside copy_from_user/copy_to_user, which make the copy fail.
// Interrupts go to their registered handler; system calls to core.
#include <arch/i586/trap_frame.h>
#include <arch/platform.h>
#include <arch/x86/cpu_hooks.h>
#include <arch/x86/exceptions.h>
#include <arch/x86/fpu.h>
#include <arch/x86/thread.h>
#include <core/backtrace.h>
#include <core/console.h>
#include <core/user/entry.h>

extern "C" const char i586_copy_user_start[], i586_copy_user_end[], i586_copy_user_fault[];

namespace arch::i586 {
InterruptHandler interrupt_handler(uint8_t vector);
uint32_t faulting_eip();
uint32_t faulting_esp();
}  // namespace arch::i586

namespace {

using arch::i586::TrapFrame;

void print_frame(const TrapFrame& f) {
  kprintf("  eax %08x  ebx %08x  ecx %08x  edx %08x\n", f.eax, f.ebx, f.ecx, f.edx);
  kprintf("  esi %08x  edi %08x  ebp %08x  esp %08x\n", f.esi, f.edi, f.ebp,
          f.from_user() ? f.user_esp : reinterpret_cast<uintptr_t>(&f.user_esp));
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

uint32_t read_cr2() {
  uint32_t address;
  asm volatile("mov %%cr2, %0" : "=r"(address));
  return address;
}

// An exception from user mode: core ends the process. NMI and machine check
// are the machine's, not the program's: they still panic.
[[noreturn]] void user_exception(const TrapFrame& frame) {
  using arch::x86::Vector;
  using user::FaultKind;
  user::Fault fault;
  fault.ip = frame.eip;
  fault.arch_code = frame.vector;
  switch (frame.vector) {
    case Vector::kDivideError:
      fault.kind = FaultKind::kDivide;
      break;
    case Vector::kDebug:
    case Vector::kBreakpoint:
      fault.kind = FaultKind::kBreakpoint;
      break;
    case Vector::kInvalidOpcode:
      fault.kind = FaultKind::kIllegalInstruction;
      break;
    case Vector::kDeviceNotAvailable:
    case Vector::kFpuError:
    case Vector::kSimdError:
      fault.kind = FaultKind::kFpu;
      break;
    case Vector::kInvalidTss:
    case Vector::kSegmentNotPresent:
    case Vector::kStackFault:
    case Vector::kGeneralProtection:
      fault.kind = FaultKind::kProtection;
      break;
    case Vector::kPageFault:
      fault.kind = FaultKind::kPage;
      fault.address = read_cr2();
      fault.write = (frame.error & arch::x86::kPfWrite) != 0;
      fault.execute = (frame.error & arch::x86::kPfInstructionFetch) != 0;
      fault.present = (frame.error & arch::x86::kPfPresent) != 0;
      break;
    case Vector::kAlignmentCheck:
      fault.kind = FaultKind::kAlignment;
      break;
    case Vector::kNmi:
    case Vector::kMachineCheck:
      exception(frame);
    default:
      fault.kind = FaultKind::kOther;
      break;
  }
  arch::Platform::enable_interrupts();
  user::handle_fault(fault);
}

// A page or protection fault inside i586_copy_user: resume at its failure
// exit (the stack is as the faulting instruction left it).
bool fix_up_user_copy(TrapFrame& frame) {
  if (frame.vector != arch::x86::kPageFault && frame.vector != arch::x86::kGeneralProtection) {
    return false;
  }
  auto ip = frame.eip;
  if (ip < reinterpret_cast<uint32_t>(i586_copy_user_start) ||
      ip >= reinterpret_cast<uint32_t>(i586_copy_user_end)) {
    return false;
  }
  frame.eip = reinterpret_cast<uint32_t>(i586_copy_user_fault);
  return true;
}

}  // namespace

extern "C" void i586_trap(TrapFrame* frame) {
  if (frame->vector < arch::x86::kFirstInterrupt) {
    if (frame->from_user()) user_exception(*frame);
    if (fix_up_user_copy(*frame)) return;
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
  if (frame->from_user()) user::exit_to_user();
}

// int $0x80 from user mode (trap_entry.S), interrupts masked.
extern "C" void i586_syscall(TrapFrame* frame) {
  arch::Platform::enable_interrupts();
  user::handle_syscall(*frame);
  arch::Platform::disable_interrupts();
  user::exit_to_user();
}

// Entered by the task switch of a double fault, on its own stack.
extern "C" void i586_double_fault_task() {
  kprintf("\nmica: double fault in kernel mode (kernel stack overflow?)\n");
  kprintf("  eip %08x  esp %08x\n", arch::i586::faulting_eip(), arch::i586::faulting_esp());
  panic("double fault at ip %#x", arch::i586::faulting_eip());
}
