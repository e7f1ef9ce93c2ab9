// The register state trap_entry.S saves on every exception and interrupt,
// and user_entry.S on every system call (the same layout, so a thread's
// user registers are always a TrapFrame at the top of its kernel stack:
// Platform::UserFrame).
#pragma once

#include <stdint.h>

#include <arch/x86_64/entry_offsets.h>

namespace arch::x86_64 {

struct TrapFrame {
  // A system call's frame leaves rcx and r11 unwritten (user_entry.S).
  uint64_t r15, r14, r13, r12, rbx, r11, rcx;
  uint64_t rbp, rax;
  // The system-call arguments in order (Platform::syscall_registers).
  uint64_t rdi, rsi, rdx, r10, r8, r9;
  uint64_t vector;  // or SYSCALL_FRAME_VECTOR
  uint64_t error;   // the CPU's error code, or 0
  // Pushed by the CPU.
  uint64_t rip, cs, rflags, rsp, ss;

  bool from_user() const { return (cs & 3) != 0; }
};

static_assert(sizeof(TrapFrame) == 22 * 8);
static_assert(__builtin_offsetof(TrapFrame, rbp) == SYSCALL_FRAME_UNSAVED);

// Segment selectors (descriptor_tables.cc lays the GDT out to match; the
// user selectors follow the order SYSRET expects).
inline constexpr uint16_t kKernelCode = SELECTOR_KERNEL_CODE;
inline constexpr uint16_t kKernelData = SELECTOR_KERNEL_DATA;
inline constexpr uint16_t kUserData = SELECTOR_USER_DATA;  // RPL 3
inline constexpr uint16_t kUserCode = SELECTOR_USER_CODE;  // RPL 3
inline constexpr uint16_t kTssSelector = 0x30;

// Loads the GDT, TSS and IDT on the boot CPU (CPU 0).
void init_descriptor_tables();
// Loads CPU `cpu`'s own GDT and TSS (with its own interrupt stacks) and the
// shared IDT, on that CPU (an application processor, after the boot CPU
// ran init_descriptor_tables).
void init_cpu_descriptor_tables(unsigned cpu);

// CPU `cpu`'s TSS I/O permission bitmap (x86::kIoBitmapBytes, covered by
// the TSS limit). (Its RSP0, where traps from ring 3 land, is reached
// through PerCpu::tss_rsp0.)
uint8_t* tss_io_bitmap(unsigned cpu);

// An interrupt handler for vectors 32..255; runs with interrupts off.
using InterruptHandler = void (*)(TrapFrame& frame);
void set_interrupt_handler(uint8_t vector, InterruptHandler handler);

}  // namespace arch::x86_64
