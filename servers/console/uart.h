// The UARTs the console drives from user space, once the hardware is
// claimed (main.cc): interrupt-driven both ways, the receive interrupt
// always on, the transmit interrupt as Output (output.h) asks. Both keep
// the line settings (baud rate, 8N1, FIFOs) the kernel's own polled
// console driver programmed, and share the UART with it: the kernel goes
// on writing its log there, a byte at a time when the transmitter has room.
//
// 16550: IER's THRE bit enables the interrupt for an empty transmit FIFO;
// reading IIR (interrupt_causes()) or writing THR clears it, and enabling
// it over an empty FIFO raises it at once. A burst is at most 15 bytes
// (one if the FIFOs are off): room for one of the kernel's, should it have
// seen the FIFO empty at the same time.
// PL011: IMSC's TXIM enables the interrupt for the transmit FIFO falling
// to IFLS's level (a quarter); it is raised only by that crossing (Output
// fills the FIFO before it counts on one) and cleared by ICR or by filling
// the FIFO above the level. QEMU's model sends at once and raises it on
// every byte written: that works too. A burst into an empty FIFO is 15
// bytes, again one left for the kernel's.
#pragma once

#include <stdint.h>

#include <mica/port_io.h>

#include "output.h"

namespace console {

class Uart : public Transmitter {
 public:
  // What an interrupt is for (interrupt_causes()).
  static constexpr unsigned kCauseReceive = 1u << 0;
  static constexpr unsigned kCauseTransmit = 1u << 1;
  static constexpr unsigned kCauseOther = 1u << 2;  // cleared already (line, modem status)

  // Turns the receive interrupt on (the transmit interrupt off).
  virtual void enable_receive_interrupt() = 0;
  // Takes one received byte into *byte; false if none is waiting.
  virtual bool read(char* byte) = 0;
  // The causes of the UART's interrupt now (0: none), clearing those that
  // reading clears and the transmit one: the receiver clears when drained,
  // the transmitter wants refilling.
  virtual unsigned interrupt_causes() = 0;
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
  unsigned interrupt_causes() override;
  size_t transmit_room() override;
  void transmit(const char* bytes, size_t count) override;
  void set_transmit_interrupt(bool enabled) override;

 private:
  uint16_t base_;
  size_t burst_ = 1;  // bytes per empty transmitter
};
#endif

// The ARM PrimeCell PL011 (the Raspberry Pi's UART0), its registers mapped
// as device memory at `registers`.
class Pl011 final : public Uart {
 public:
  explicit Pl011(volatile uint32_t* registers) : registers_(registers) {}
  void enable_receive_interrupt() override;
  bool read(char* byte) override;
  unsigned interrupt_causes() override;
  void end_of_interrupt() override;
  size_t transmit_room() override;
  void transmit(const char* bytes, size_t count) override;
  void set_transmit_interrupt(bool enabled) override;

 private:
  volatile uint32_t* registers_;
};

}  // namespace console
