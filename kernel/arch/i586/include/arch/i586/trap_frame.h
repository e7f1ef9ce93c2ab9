// The register state trap_entry.S saves on every exception and interrupt.
#pragma once

#include <stdint.h>

namespace arch::i586 {

struct TrapFrame {
  // pushal order, lowest address first.
  uint32_t edi, esi, ebp, esp_at_trap, ebx, edx, ecx, eax;
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

void init_descriptor_tables();

using InterruptHandler = void (*)(TrapFrame& frame);
void set_interrupt_handler(uint8_t vector, InterruptHandler handler);

}  // namespace arch::i586
