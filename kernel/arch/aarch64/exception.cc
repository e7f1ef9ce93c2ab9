// Exceptions taken at EL1. IRQs go to the interrupt dispatch and return, and
// so does the FP/SIMD access trap of lazy FPU switching (thread.cc). A data
// abort inside the user-copy routines (user_copy.S) resumes at their fixup,
// which makes the copy fail. Every other exception from EL1 is a kernel bug:
// describe it from ESR_EL1 (with the fault kind and level of an abort),
// print a backtrace and panic. Two cases must not panic again: a fault while
// already handling one, and the semihosting `hlt` of Platform::stop trapping
// on hardware without a debugger; both park the CPU. Exceptions from EL0 go
// to user.cc, which panics through report_exception only for the kinds user
// code cannot cause.
#include "exception.h"

#include <arch/aarch64/cpu.h>
#include <core/backtrace.h>
#include <core/console.h>

#include "interrupt.h"
#include "thread.h"

extern "C" const char aarch64_user_copy_start[], aarch64_user_copy_end[];
extern "C" const char aarch64_user_copy_fault[];

namespace aarch64 {
namespace {

using arch::aarch64::this_cpu;

// Set once, never cleared: the machine is on its way down.
volatile bool g_stopping = false;

// ESR_EL1.EC of an FP/SIMD access trapped by CPACR_EL1.FPEN, and of a data
// abort taken without a change of EL.
constexpr uint32_t kEcFpAccess = 0x07;
constexpr uint32_t kEcDataAbortSameEl = 0x25;

// A fault of a user-copy routine: resume at its fixup.
bool fix_up_user_copy(RegisterFrame* frame) {
  uintptr_t start = reinterpret_cast<uintptr_t>(aarch64_user_copy_start);
  uintptr_t end = reinterpret_cast<uintptr_t>(aarch64_user_copy_end);
  if (frame->elr < start || frame->elr >= end) return false;
  frame->elr = reinterpret_cast<uintptr_t>(aarch64_user_copy_fault);
  return true;
}

// ESR_EL1.EC values (Arm ARM D17.2.37) the kernel can meet.
struct ExceptionClass {
  uint32_t ec;
  const char* name;
};
constexpr ExceptionClass kExceptionClasses[] = {
    {0x00, "unknown reason (undefined instruction)"},
    {0x01, "trapped WFI/WFE"},
    {0x07, "FP/SIMD access trap"},
    {0x0e, "illegal execution state"},
    {0x15, "SVC"},
    {0x18, "trapped MSR/MRS/system instruction"},
    {0x20, "instruction abort from a lower EL"},
    {0x21, "instruction abort"},
    {0x22, "PC alignment fault"},
    {0x24, "data abort from a lower EL"},
    {0x25, "data abort"},
    {0x26, "SP alignment fault"},
    {0x2f, "SError"},
    {0x30, "breakpoint from a lower EL"},
    {0x31, "breakpoint"},
    {0x32, "software step from a lower EL"},
    {0x33, "software step"},
    {0x34, "watchpoint from a lower EL"},
    {0x35, "watchpoint"},
    {0x3c, "BRK instruction"},
};

const char* exception_class_name(uint32_t ec) {
  for (const ExceptionClass& known : kExceptionClasses) {
    if (known.ec == ec) return known.name;
  }
  return "unexpected exception class";
}

// FAR_EL1 holds the faulting address only for these classes.
bool far_is_valid(uint32_t ec) {
  return ec == 0x20 || ec == 0x21 || ec == 0x22 || ec == 0x24 || ec == 0x25 || ec == 0x34 ||
         ec == 0x35;
}

// The fault status code (DFSC/IFSC, ISS bits 5:0) of an abort: the kind of
// fault and, for translation-table faults, the level (-1 if none).
const char* fault_status_name(uint32_t fsc, int* level) {
  *level = -1;
  switch (fsc >> 2) {
    case 0x0:
      *level = static_cast<int>(fsc & 3);
      return "address size fault";
    case 0x1:
      *level = static_cast<int>(fsc & 3);
      return "translation fault";
    case 0x2:
      *level = static_cast<int>(fsc & 3);
      return "access flag fault";
    case 0x3:
      *level = static_cast<int>(fsc & 3);
      return "permission fault";
    case 0x5:
      *level = static_cast<int>(fsc & 3);
      return "synchronous external abort on a table walk";
    default:
      break;
  }
  switch (fsc) {
    case 0x10:
      return "synchronous external abort";
    case 0x11:
      return "tag check fault";
    case 0x18:
      return "parity or ECC error";
    case 0x21:
      return "alignment fault";
    case 0x30:
      return "TLB conflict abort";
    default:
      return "unknown fault status";
  }
}

const char* const kVectorOrigin[4] = {"EL1 with SP_EL0", "EL1", "EL0 (AArch64)", "EL0 (AArch32)"};
const char* const kVectorType[4] = {"synchronous", "IRQ", "FIQ", "SError"};

}  // namespace

const RegisterFrame* current_exception_frame() {
  return this_cpu().exception_frame;
}

void mark_stopping() {
  g_stopping = true;
}

void park() {
  asm volatile("msr daifset, #0xf" ::: "memory");
  while (true) asm volatile("wfe");
}

}  // namespace aarch64

void arch_handle_exception(aarch64::RegisterFrame* frame, uint64_t vector) {
  using namespace aarch64;
  // Never recurse: a second exception on this CPU (a fault while printing,
  // or the stop path's `hlt` with no semihosting host) ends here.
  if (g_stopping || this_cpu().exception_depth != 0) park();

  // IRQs from the kernel on SP_EL1: dispatch and return (the kernel never
  // runs on SP_EL0, so vector 1 is a bug like any other). handle_irq may
  // switch threads and come back much later.
  if (vector == 5) {
    handle_irq();
    return;
  }
  if (vector == 4) {
    uint32_t ec = static_cast<uint32_t>(frame->esr >> 26);
    // The first FP/SIMD use of a time slice: load the thread's registers
    // and retry the instruction (ELR points at it).
    if (ec == kEcFpAccess) {
      handle_fpu_trap();
      return;
    }
    if (ec == kEcDataAbortSameEl && fix_up_user_copy(frame)) return;
  }
  report_exception(frame, vector);
}

namespace aarch64 {

void report_exception(const RegisterFrame* frame, uint64_t vector) {
  arch::aarch64::Cpu& cpu = this_cpu();
  if (g_stopping || cpu.exception_depth != 0) park();
  cpu.exception_depth = 1;
  cpu.exception_frame = frame;
  uint64_t type = vector % 4;
  const char* origin = kVectorOrigin[(vector / 4) % 4];
  unsigned long long elr = frame->elr;
  if (type != 0) {
    kprintf("\nmica: %s exception from %s at ELR %#llx\n", kVectorType[type], origin, elr);
    backtrace::print(frame->elr, frame->x[29]);
    panic("unexpected %s", kVectorType[type]);
  }

  uint32_t esr = static_cast<uint32_t>(frame->esr);
  uint32_t ec = esr >> 26;
  const char* name = exception_class_name(ec);
  kprintf("\nmica: %s exception from %s: %s (EC %#x, ESR %#x)\n", kVectorType[type], origin, name,
          ec, esr);
  unsigned long long far = frame->far;
  if (ec == 0x20 || ec == 0x21 || ec == 0x24 || ec == 0x25) {
    // ISS: the fault status (bits 5:0); for data aborts WnR (bit 6) says
    // read or write, CM (bit 8) a cache maintenance instruction.
    int level;
    const char* fault = fault_status_name(esr & 0x3f, &level);
    bool data = ec == 0x24 || ec == 0x25;
    const char* access = !data                    ? "instruction fetch"
                         : (esr & (1u << 8)) != 0 ? "cache maintenance"
                         : (esr & (1u << 6)) != 0 ? "write"
                                                  : "read";
    if (level >= 0) {
      kprintf("mica: %s, level %d: %s of FAR %#llx at ELR %#llx\n", fault, level, access, far, elr);
    } else {
      kprintf("mica: %s: %s of FAR %#llx at ELR %#llx\n", fault, access, far, elr);
    }
  } else if (ec == 0x3c) {
    // The comment field: clang's __builtin_trap() is brk #1.
    kprintf("mica: brk #%#x at ELR %#llx\n", esr & 0xffff, elr);
  } else if (far_is_valid(ec)) {
    kprintf("mica: at ELR %#llx, FAR %#llx\n", elr, far);
  } else {
    kprintf("mica: at ELR %#llx\n", elr);
  }
  backtrace::print(frame->elr, frame->x[29]);
  panic("unhandled %s in the kernel", name);
}

}  // namespace aarch64
