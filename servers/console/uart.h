// The UARTs the console drives from user space, once the hardware is
// claimed (main.cc): the receive interrupt only, transmit by polling. Both
// keep the line settings (baud rate, 8N1, FIFOs) the kernel's own polled
// console driver programmed, and share the UART with it: the kernel goes
// on writing its log there.
#pragma once

#include <stdint.h>

#include <mica/port_io.h>

namespace console {

class Uart {
 public:
  // Interrupts when bytes arrive (and on nothing else).
  virtual void enable_receive_interrupt() = 0;
  // Takes one received byte into *byte; false if none is waiting.
  virtual bool read(char* byte) = 0;
  // Sends one byte, waiting (boundedly) for room in the transmitter.
  virtual void write(char byte) = 0;
  // After the receiver is drained: clears what reading did not.
  virtual void end_of_interrupt() {}

 protected:
  ~Uart() = default;
};

#if MICA_HAS_PORT_IO
// The 8250/16550 family at 8 consecutive I/O ports.
class Uart16550 final : public Uart {
 public:
  explicit Uart16550(uint16_t base) : base_(base) {}
  // Whether anything answers at the ports (a missing UART reads as 0xff).
  bool present() const;
  void enable_receive_interrupt() override;
  bool read(char* byte) override;
  void write(char byte) override;

 private:
  uint16_t base_;
};
#endif

// The ARM PrimeCell PL011 (the Raspberry Pi's UART0), its registers mapped
// as device memory at `registers`.
class Pl011 final : public Uart {
 public:
  explicit Pl011(volatile uint32_t* registers) : registers_(registers) {}
  void enable_receive_interrupt() override;
  bool read(char* byte) override;
  void write(char byte) override;
  void end_of_interrupt() override;

 private:
  volatile uint32_t* registers_;
};

}  // namespace console
