#include <arch/x86/machine.h>
#include <arch/x86/port_io.h>

namespace arch::x86 {

void stop(StopReason reason) {
  disable_interrupts();
  if (reason == StopReason::kReboot) {
    // The keyboard controller's reset line, then the PCI reset control
    // register (full reset) where the first does not take.
    outb(0x64, 0xfe);
    outb(0xcf9, 0x06);
    halt_forever();
  }
  constexpr uint16_t kDebugExitPort = 0xf4;
  outb(kDebugExitPort, static_cast<uint8_t>(reason));
  halt_forever();
}

}  // namespace arch::x86
