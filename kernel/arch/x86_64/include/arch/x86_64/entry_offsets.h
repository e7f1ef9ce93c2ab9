// Constants the assembly entry paths (trap_entry.S, user_entry.S) share with
// C++: PerCpu field offsets (checked in per_cpu.h), the GDT selectors
// (trap_frame.h) and the SYSCALL frame marker.
#pragma once

// PerCpu, reached at %gs:offset.
#define PER_CPU_KERNEL_STACK_TOP 16
#define PER_CPU_USER_RSP 24

// Selectors, RPL included for the user ones (SYSRET's layout: user data at
// STAR[63:48] + 8, 64-bit user code at STAR[63:48] + 16).
#define SELECTOR_KERNEL_CODE 0x08
#define SELECTOR_KERNEL_DATA 0x10
#define SELECTOR_SYSRET_BASE 0x18
#define SELECTOR_USER_DATA 0x23
#define SELECTOR_USER_CODE 0x2b

// TrapFrame.vector of a frame the SYSCALL entry built (not a CPU vector).
#define SYSCALL_FRAME_VECTOR 0x100
// The bytes of a SYSCALL frame below RBP that its ordinary exit skips (r15
// r14 r13 r12 rbx, which C preserved, and rcx r11, never saved:
// user_entry.S).
#define SYSCALL_FRAME_UNSAVED (7 * 8)

// The user flags a return to user mode keeps (CF PF AF ZF SF TF DF OF NT AC
// ID); IF and the reserved bit 1 are always set; IOPL, VM, RF and VIF/VIP
// are always clear.
#define USER_RFLAGS_MASK 0x244dd5
#define USER_RFLAGS_SET 0x202
