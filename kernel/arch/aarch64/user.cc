// User mode (EL0): the first entry, the system-call and trap paths from EL0
// (vectors.S calls arch_handle_syscall and arch_handle_user_exception with
// the UserFrame it saved on the thread's kernel stack), and the checked user
// copies (user_copy.S does the copying).
//
// A user thread runs at EL0 with SP_EL1 at the top of its kernel stack, so
// every exception from EL0 saves its UserFrame right below that top and
// returns through it (aarch64_return_to_user). TPIDR_EL0 is switched with
// the thread's Context; SP_EL0 and the rest of the EL0 registers live in
// the UserFrame.
#include "user.h"

#include <arch/platform.h>
#include <core/console.h>
#include <core/sched/kernel_stacks.h>
#include <core/user/entry.h>

#include "exception.h"
#include "interrupt.h"
#include "thread.h"

extern "C" {
// vectors.S.
[[noreturn]] void aarch64_enter_user(uintptr_t stack_top, uintptr_t ip, uintptr_t sp,
                                     uintptr_t arg0, uintptr_t arg1);
// user_copy.S: 0, or 1 after a fault.
int aarch64_copy_from_user(void* to, uintptr_t user_from, size_t size);
int aarch64_copy_to_user(uintptr_t user_to, const void* from, size_t size);
// Called by vectors.S for exceptions from EL0, with interrupts masked; both
// return with interrupts masked, after user::exit_to_user.
void arch_handle_syscall(arch::aarch64::RegisterFrame* frame);
void arch_handle_user_exception(arch::aarch64::RegisterFrame* frame, uint64_t vector);
}

namespace aarch64 {
namespace {

using arch::Platform;

// ESR_EL1.EC values (Arm ARM D17.2.37) of the exceptions EL0 code can cause.
enum : uint32_t {
  kEcUnknown = 0x00,  // undefined instruction
  kEcWfx = 0x01,
  kEcFpAccess = 0x07,
  kEcIllegalState = 0x0e,
  kEcSystem = 0x18,  // a trapped MSR, MRS or system instruction
  kEcInstructionAbort = 0x20,
  kEcPcAlignment = 0x22,
  kEcDataAbort = 0x24,
  kEcSpAlignment = 0x26,
  kEcFpException = 0x2c,
  kEcBreakpoint = 0x30,
  kEcSoftwareStep = 0x32,
  kEcWatchpoint = 0x34,
  kEcBrk = 0x3c,
};

// The vectors (0-15) of exceptions from EL0 that user code can cause.
constexpr uint64_t kVectorUserSync = 8;
constexpr uint64_t kVectorUserIrq = 9;
constexpr uint64_t kVectorUserSError = 11;

// An instruction or data abort's fault status code (ISS bits 5:0).
void decode_abort(uint32_t esr, user::Fault& fault) {
  uint32_t fsc = esr & 0x3f;
  if (fsc == 0x21) {
    fault.kind = user::FaultKind::kAlignment;
    return;
  }
  switch (fsc >> 2) {
    case 0x0:  // address size: beyond the 48-bit range, nothing is mapped
    case 0x1:  // translation: nothing mapped at the address
      fault.kind = user::FaultKind::kPage;
      break;
    case 0x2:  // access flag (every mapping sets it) or permission
    case 0x3:
      fault.kind = user::FaultKind::kPage;
      fault.present = true;
      break;
    default:  // external aborts, parity errors, TLB conflicts
      fault.kind = user::FaultKind::kOther;
      break;
  }
}

}  // namespace

user::Fault decode_user_fault(const RegisterFrame& frame, uint64_t vector) {
  user::Fault fault;
  uint32_t esr = static_cast<uint32_t>(frame.esr);
  fault.ip = frame.elr;
  fault.arch_code = esr;
  if (vector != kVectorUserSync) return fault;  // an SError: kOther
  switch (esr >> 26) {
    case kEcInstructionAbort:
      decode_abort(esr, fault);
      fault.address = frame.far;
      fault.execute = true;
      break;
    case kEcDataAbort:
      decode_abort(esr, fault);
      fault.address = frame.far;
      // WnR (bit 6); cache maintenance (CM, bit 8) reports itself as a write.
      fault.write = (esr & (1u << 6)) != 0 && (esr & (1u << 8)) == 0;
      break;
    case kEcUnknown:
    case kEcIllegalState:
      fault.kind = user::FaultKind::kIllegalInstruction;
      break;
    case kEcSystem:
    case kEcWfx:
      fault.kind = user::FaultKind::kProtection;  // a privileged operation
      break;
    case kEcPcAlignment:
      fault.kind = user::FaultKind::kAlignment;
      fault.address = frame.far;
      break;
    case kEcSpAlignment:
      fault.kind = user::FaultKind::kAlignment;
      fault.address = frame.sp;
      break;
    case kEcBrk:
    case kEcBreakpoint:
    case kEcSoftwareStep:
      fault.kind = user::FaultKind::kBreakpoint;
      break;
    case kEcWatchpoint:
      fault.kind = user::FaultKind::kBreakpoint;
      fault.address = frame.far;
      break;
    case kEcFpException:
      fault.kind = user::FaultKind::kFpu;
      break;
    default:
      break;  // kOther
  }
  return fault;
}

}  // namespace aarch64

void arch_handle_syscall(arch::aarch64::RegisterFrame* frame) {
  arch::Platform::enable_interrupts();
  user::handle_syscall(*frame);
  arch::Platform::disable_interrupts();
  user::exit_to_user();
}

void arch_handle_user_exception(arch::aarch64::RegisterFrame* frame, uint64_t vector) {
  using namespace aarch64;
  if (vector == kVectorUserIrq) {
    handle_irq();  // may switch threads and come back much later
  } else if (vector == kVectorUserSync && (frame->esr >> 26) == kEcFpAccess) {
    handle_fpu_trap();  // the thread's first FP/SIMD use in this time slice
  } else if (vector == kVectorUserSync || vector == kVectorUserSError) {
    user::Fault fault = decode_user_fault(*frame, vector);
    arch::Platform::enable_interrupts();
    user::handle_fault(fault);
  } else {
    // FIQs are never enabled and EL0 never runs AArch32.
    report_exception(frame, vector);
  }
  user::exit_to_user();
}

namespace arch {
namespace {

// [address, address + size) lies inside user space, without wrapping.
bool is_user_range(uintptr_t address, size_t size) {
  return address <= Platform::kUserTop && size <= Platform::kUserTop - address;
}

}  // namespace

void Platform::enter_user(uintptr_t ip, uintptr_t sp, uintptr_t arg0, uintptr_t arg1) {
  disable_interrupts();
  // The UserFrame of every later exception goes right below the top of the
  // kernel stack set_kernel_stack named: this must be that stack.
  uintptr_t top = aarch64::this_cpu().kernel_stack_top;
  uintptr_t here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  if (top == 0 || here >= top || top - here > sched::kKernelStackSize) {
    panic("enter_user: running at %#lx, not below the kernel stack top %#lx", here, top);
  }
  user::exit_to_user();
  aarch64_enter_user(top, ip, sp, arg0, arg1);
}

bool Platform::copy_from_user(void* to, uintptr_t user_from, size_t size) {
  if (!is_user_range(user_from, size)) return false;
  return aarch64_copy_from_user(to, user_from, size) == 0;
}

bool Platform::copy_to_user(uintptr_t user_to, const void* from, size_t size) {
  if (!is_user_range(user_to, size)) return false;
  return aarch64_copy_to_user(user_to, from, size) == 0;
}

}  // namespace arch
