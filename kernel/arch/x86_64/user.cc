// x86_64 user mode (arch::UserContract): the system-call path, the way back
// to ring 3 every entry shares, thread pointers, user-memory copies and the
// I/O permission bitmap.
#include <arch/platform.h>
#include <arch/x86_64/per_cpu.h>
#include <arch/x86_64/trap_frame.h>
#include <core/user/entry.h>

extern "C" {
void x86_64_syscall_resume_trampoline();
[[noreturn]] void x86_64_enter_user(uintptr_t ip, uintptr_t sp, uintptr_t arg0, uintptr_t arg1,
                                    uintptr_t kernel_stack_top);
bool x86_64_copy_user(void* to, const void* from, size_t size);
}

namespace arch {
namespace x86_64 {

namespace {

[[noreturn, gnu::cold, gnu::noinline]] void bad_return_address(uintptr_t ip) {
  Platform::enable_interrupts();
  user::handle_fault(user::Fault{
      .kind = user::FaultKind::kProtection, .ip = ip, .arch_code = x86::kGeneralProtection});
}

}  // namespace

void return_to_user(TrapFrame& frame) {
  // Core may have changed the frame; SYSRET and IRETQ must get a canonical
  // RIP (SYSRET would fault in ring 0 otherwise) and user-only flags.
  if (__builtin_expect(frame.rip >= Platform::kUserTop, 0)) bad_return_address(frame.rip);
  frame.rflags = (frame.rflags & USER_RFLAGS_MASK) | USER_RFLAGS_SET;
  user::exit_to_user();
}

}  // namespace x86_64

void Platform::enter_user(uintptr_t ip, uintptr_t sp, uintptr_t arg0, uintptr_t arg1) {
  disable_interrupts();
  if (ip >= kUserTop) {
    enable_interrupts();
    user::handle_fault(user::Fault{
        .kind = user::FaultKind::kProtection, .ip = ip, .arch_code = x86::kGeneralProtection});
  }
  user::exit_to_user();
  x86_64_enter_user(ip, sp, arg0, arg1, x86_64::this_cpu().kernel_stack_top);
}

void Platform::init_context_syscall_return(Context& context, UserFrame& frame) {
  // As init_context_calling lays a new thread's stack out, right under the
  // frame (16-aligned: the kernel stack top is, and the frame is 11 * 16
  // bytes): a null frame, the trampoline, then the registers
  // switch_context pops, r12 holding the frame.
  static_assert(sizeof(UserFrame) % 16 == 0);
  auto* slot = reinterpret_cast<uint64_t*>(&frame);
  *--slot = 0;
  *--slot = 0;
  *--slot = reinterpret_cast<uint64_t>(&x86_64_syscall_resume_trampoline);
  *--slot = 0;                                   // rbx
  *--slot = 0;                                   // rbp
  *--slot = reinterpret_cast<uint64_t>(&frame);  // r12
  *--slot = 0;                                   // r13
  *--slot = 0;                                   // r14
  *--slot = 0;                                   // r15
  context.stack_pointer = reinterpret_cast<uintptr_t>(slot);
}

void Platform::set_user_thread_pointer(uintptr_t pointer) {
  uintptr_t flags = save_and_disable_interrupts();
  x86_64::PerCpu& cpu = x86_64::this_cpu();
  if (cpu.current_context != nullptr) cpu.current_context->user_fs_base = pointer;
  x86_64::write_fs_base(pointer);
  restore_interrupts(flags);
}

namespace {

// [address, address + size) lies in [0, kUserTop), without wrapping.
bool user_range(uintptr_t address, size_t size) {
  return size <= Platform::kUserTop && address <= Platform::kUserTop - size;
}

}  // namespace

bool Platform::copy_from_user(void* buffer, uintptr_t from, size_t size) {
  if (!user_range(from, size)) return false;
  return x86_64_copy_user(buffer, reinterpret_cast<const void*>(from), size);
}

bool Platform::copy_to_user(uintptr_t to, const void* data, size_t size) {
  if (!user_range(to, size)) return false;
  return x86_64_copy_user(reinterpret_cast<void*>(to), data, size);
}

// ---- I/O ports ----
//
// Each CPU's TSS holds one bitmap; activate_io_ports loads the next thread's
// process's into it unless it is already there. A change to a process's
// bitmap (io_ports_init on a reused address, io_ports_allow) marks every
// CPU that holds it stale, and reloads the calling CPU's at once (the
// calling thread may be one of the process's). Another CPU running one of
// its threads sees new ports at its next switch.

namespace {

void forget_io_ports(const Platform::IoPorts& ports) {
  for (unsigned i = 0; i < Platform::cpu_count(); ++i) {
    const Platform::IoPorts* expected = &ports;
    __atomic_compare_exchange_n(&x86_64::cpu(i).io_ports_loaded, &expected, x86_64::kIoPortsStale,
                                false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
  }
}

}  // namespace

void Platform::io_ports_init(IoPorts& ports) {
  ports.init();
  forget_io_ports(ports);
}

lib::Result<void> Platform::io_ports_allow(IoPorts& ports, uint32_t base, uint32_t count) {
  TRY(ports.allow(base, count));
  uintptr_t flags = save_and_disable_interrupts();
  bool loaded_here = x86_64::this_cpu().io_ports_loaded == &ports;
  forget_io_ports(ports);
  if (loaded_here) activate_io_ports(&ports);
  restore_interrupts(flags);
  return {};
}

void Platform::activate_io_ports(const IoPorts* ports) {
  x86_64::PerCpu& cpu = x86_64::this_cpu();
  if (__atomic_load_n(&cpu.io_ports_loaded, __ATOMIC_ACQUIRE) == ports) return;
  // Claim first: a concurrent forget_io_ports(ports) then marks it stale
  // again rather than being lost.
  __atomic_store_n(&cpu.io_ports_loaded, ports, __ATOMIC_RELEASE);
  x86::load_io_bitmap(x86_64::tss_io_bitmap(cpu.index), cpu.io_extent, ports);
}

}  // namespace arch

// From user_entry.S, on the thread's kernel stack with interrupts masked.
extern "C" void x86_64_syscall(arch::x86_64::TrapFrame* frame) {
  if (!user::fast_syscall(*frame)) {
    arch::Platform::enable_interrupts();
    user::handle_syscall(*frame);
    arch::Platform::disable_interrupts();
  }
  arch::x86_64::return_to_user(*frame);
}

// From x86_64_syscall_resume_trampoline, with interrupts masked: the first
// code of a thread resumed by init_context_syscall_return or
// switch_to_syscall_return. Its frame is the one its SYSCALL entry built,
// where core has written only the results, so RIP and RFLAGS are what
// SYSCALL saved (the instruction after it; user flags) and need no check.
extern "C" void x86_64_syscall_resume(arch::x86_64::TrapFrame*) {
  sched::finish_switch();
  user::exit_to_user();
}
