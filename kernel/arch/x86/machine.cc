#include <arch/x86/machine.h>
#include <arch/x86/port_io.h>

namespace arch::x86 {

void stop(StopReason reason) {
  disable_interrupts();
  constexpr uint16_t kDebugExitPort = 0xf4;
  outb(kDebugExitPort, static_cast<uint8_t>(reason));
  halt_forever();
}

}  // namespace arch::x86
