// The legacy 8259A interrupt controller pair. x86_64 remaps and masks it
// (the local and I/O APICs take over); the i586 uses it for the PIT timer
// when there is no APIC.
#pragma once

#include <stdint.h>

namespace arch::x86 {

// IRQ 0-15 arrive on vectors kPicVectorBase + irq.
inline constexpr uint8_t kPicVectorBase = 0x20;

// Moves the PICs off the CPU exception vectors and masks every line.
void pic_init();
void pic_unmask(unsigned irq);
void pic_mask(unsigned irq);
void pic_end_of_interrupt(unsigned irq);

}  // namespace arch::x86
