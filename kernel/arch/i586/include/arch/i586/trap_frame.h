// The register state trap_entry.S saves on every exception, interrupt and
// system call, and the descriptor-table services the rest of the arch uses.
#pragma once

#include <stdint.h>

namespace arch::i586 {

struct TrapFrame {
  // Lowest address first: segment registers, then the general registers
  // with the system-call arguments in order (Platform::syscall_registers).
  uint32_t gs, fs, es, ds;
  uint32_t ebx, ecx, edx, esi, edi, ebp, eax;
  uint32_t vector;
  uint32_t error;
  // Pushed by the CPU (user_esp/user_ss only on a change of privilege).
  uint32_t eip, cs, eflags, user_esp, user_ss;

  bool from_user() const { return (cs & 3) != 0; }
};

inline constexpr uint16_t kKernelCode = 0x08;
inline constexpr uint16_t kKernelData = 0x10;
inline constexpr uint16_t kUserCode = 0x1b;
inline constexpr uint16_t kUserData = 0x23;
inline constexpr uint16_t kTssSelector = 0x28;
inline constexpr uint16_t kDoubleFaultTssSelector = 0x30;
// The user thread pointer: a DPL 3 data segment whose base is the running
// thread's pointer (GS in user mode, like Linux's set_thread_area).
inline constexpr uint16_t kUserTlsSelector = 0x3b;

// System calls: `int $0x80`, the one gate user mode may use besides int3/into.
inline constexpr uint8_t kSyscallVector = 0x80;

void init_descriptor_tables();

using InterruptHandler = void (*)(TrapFrame& frame);
void set_interrupt_handler(uint8_t vector, InterruptHandler handler);

// Where traps from user mode land: the TSS's esp0.
void set_tss_kernel_stack(uint32_t stack_top);
// Rewrites the TLS descriptor's base; the next load of GS (the return to
// user mode pops it) picks it up.
void set_tls_base(uint32_t base);
// The TSS's I/O permission bitmap (x86::kIoBitmapBytes) and the count of its
// leading bytes that may allow a port (see x86::load_io_bitmap).
uint8_t* tss_io_bitmap();
uint32_t& tss_io_bitmap_extent();

}  // namespace arch::i586
