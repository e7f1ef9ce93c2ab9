// Reporting of exceptions taken at EL1. The kernel has no user space and no
// interrupts yet, so every exception is a kernel bug: describe it from
// ESR_EL1 and panic. Two cases must not panic again: a fault while already
// handling one, and the semihosting `hlt` of Platform::stop trapping on
// hardware without a debugger; both park the CPU.
#include "exception.h"

#include <core/console.h>

namespace aarch64 {
namespace {

// Set once, never cleared: the machine is on its way down.
volatile bool g_stopping = false;
volatile int g_exception_depth = 0;
const RegisterFrame* volatile g_exception_frame = nullptr;

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

const char* const kVectorOrigin[4] = {"EL1 with SP_EL0", "EL1", "EL0 (AArch64)", "EL0 (AArch32)"};
const char* const kVectorType[4] = {"synchronous", "IRQ", "FIQ", "SError"};

}  // namespace

const RegisterFrame* current_exception_frame() {
  return g_exception_frame;
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
  // Never recurse: a second exception (a fault while printing, or the stop
  // path's `hlt` with no semihosting host) ends here.
  if (g_stopping || g_exception_depth != 0) park();
  g_exception_depth = 1;
  g_exception_frame = frame;

  uint64_t type = vector % 4;
  const char* origin = kVectorOrigin[(vector / 4) % 4];
  unsigned long long elr = frame->elr;
  if (type != 0 && type != 3) {
    // Interrupts are masked until the interrupt controller issue; one
    // arriving anyway means the masking is broken.
    kprintf("\nmica: %s exception from %s at ELR %#llx\n", kVectorType[type], origin, elr);
    panic("unexpected %s", kVectorType[type]);
  }

  uint32_t esr = static_cast<uint32_t>(frame->esr);
  uint32_t ec = esr >> 26;
  const char* name = exception_class_name(ec);
  kprintf("\nmica: %s exception from %s: %s (EC %#x, ESR %#x)\n", kVectorType[type], origin, name,
          ec, esr);
  if (ec == 0x24 || ec == 0x25) {
    // ISS: WnR (bit 6) says read or write; DFSC (bits 5:0) the fault kind.
    kprintf("mica: %s of %#llx at ELR %#llx, fault status %#x\n",
            (esr & (1u << 6)) != 0 ? "write" : "read", static_cast<unsigned long long>(frame->far),
            elr, esr & 0x3f);
  } else if (far_is_valid(ec)) {
    kprintf("mica: at ELR %#llx, FAR %#llx\n", elr, static_cast<unsigned long long>(frame->far));
  } else {
    kprintf("mica: at ELR %#llx\n", elr);
  }
  panic("unhandled %s in the kernel", name);
}
