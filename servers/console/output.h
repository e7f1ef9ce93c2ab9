// The console's transmit side: a ring of terminal bytes between the line
// discipline and the UART, emptied by the transmit interrupt, and the
// program writes that did not fit in it, held (their callers blocked in
// IPC, not the server in a loop) until it drains. Pure logic: the UART is a
// Transmitter, the server a Client; the host unit tests give fakes of both.
//
// The transmit interrupt is on exactly while bytes wait in the ring. Each
// refill() moves at most kRefillMax bytes, as far as the transmitter says
// it has room, re-reading its status between bursts. On hardware a burst
// fills the FIFO and the next interrupt comes when it has drained; under
// QEMU, whose UARTs send at once, the bound keeps every refill short (a
// keystroke waits for at most one) and the interrupt path in use. Whenever
// the interrupt is left on, the last burst stopped at a full transmitter
// (or at the bound): the PL011 raises its transmit interrupt only when its
// FIFO falls through the trigger level, so it must have been above it.
//
// Echo and the line discipline's own messages may use the whole ring; a
// program's writes only up to kRingSize - kEchoReserve, so that typing
// shows even while a flood of output waits. What does not fit even so is
// dropped, and counted.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace console {

// A UART's transmitter, as Output drives it.
class Transmitter {
 public:
  // How many bytes transmit() takes now without waiting (0: none); reads
  // the UART's status.
  virtual size_t transmit_room() = 0;
  // Sends bytes[0..count), count at most what transmit_room() said.
  virtual void transmit(const char* bytes, size_t count) = 0;
  // Turns the interrupt that asks for more bytes on or off.
  virtual void set_transmit_interrupt(bool enabled) = 0;

 protected:
  ~Transmitter() = default;
};

class Output {
 public:
  static constexpr size_t kRingSize = 8192;
  // Ring bytes only echo (and the line discipline's messages) may use.
  static constexpr size_t kEchoReserve = 1024;
  // Held writes go on only once the ring has drained to this many bytes,
  // in large pieces rather than one per interrupt.
  static constexpr size_t kResumeLevel = kRingSize / 2;
  // The most bytes one refill() gives the transmitter.
  static constexpr size_t kRefillMax = 1024;
  // Writes held at once; another gets what fits (a short write).
  static constexpr size_t kWritersMax = 16;

  // The server: output processing and the answers to held writes.
  class Client {
   public:
    // Shows the longest prefix of bytes[0..length) whose terminal form
    // (what it puts) fits in `room` bytes; returns the prefix's length.
    virtual size_t show(const char* bytes, size_t length, size_t room) = 0;
    // All of the write held for `writer` is in the ring, or was discarded
    // after `written` bytes (discard_writers()): its caller gets `written`.
    virtual void write_done(uint32_t writer, size_t written) = 0;

   protected:
    ~Client() = default;
  };

  Output(Transmitter& transmitter, Client& client) : transmitter_(transmitter), client_(client) {}
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;
  ~Output();

  // Terminal bytes, in their final form, into the ring: as many as fit
  // (the rest is dropped and counted). Returns how many went in. Does not
  // touch the transmitter (refill() does): the line discipline calls this
  // from inside its calls.
  size_t put(const char* bytes, size_t length);

  // A program's write: shows as much of bytes[0..length) as fits in the
  // ring now, none while writes are held (they come first). Returns how
  // much; the caller hold()s the rest or answers with a short count.
  size_t write(const char* bytes, size_t length);
  // Holds the rest (bytes[0..length), copied) of a write of `total` bytes
  // for `writer`: shown as the ring drains, after the writes held before
  // it, then Client::write_done(writer, total). false (nothing held) if
  // kWritersMax writes are held already or memory is short.
  bool hold(uint32_t writer, const char* bytes, size_t length, size_t total);
  // Forgets what held writes have not shown yet (a ^C), answering each
  // with the bytes it did show.
  void discard_writers();

  // Moves ring bytes into the transmitter (up to kRefillMax, while it has
  // room), lets held writes in as the ring drains, and leaves the transmit
  // interrupt on iff bytes wait. For every transmit interrupt, and after
  // any other event: a lost interrupt (the kernel's own polled writes
  // share the UART) cannot stall output past the next one. Returns the
  // bytes transmitted.
  size_t refill();

  // Bytes in the ring.
  size_t queued() const { return static_cast<size_t>(tail_ - head_); }
  size_t held_writers() const { return held_count_; }
  // Whether anything waits: ring bytes or held writes.
  bool pending() const { return queued() != 0 || held_count_ != 0; }
  bool transmit_interrupt() const { return interrupt_on_; }
  // Terminal bytes dropped for want of room.
  uint64_t dropped() const { return dropped_; }

 private:
  struct Held {
    uint32_t writer;
    char* bytes;    // owned: new[]
    size_t length;  // of bytes
    size_t shown;   // bytes[0..shown) are in the ring
    size_t total;   // the write's whole length
  };

  // Ring bytes into the transmitter, within *budget; returns how many.
  size_t transmit(size_t* budget);
  // Held writes into the ring, while there is room for them.
  void feed();
  // Room in the ring for a program's bytes.
  size_t writer_room() const;
  void pop_held();

  Transmitter& transmitter_;
  Client& client_;
  bool interrupt_on_ = false;

  // A ring of kRingSize bytes between two ever-growing positions.
  char ring_[kRingSize];
  uint64_t head_ = 0;
  uint64_t tail_ = 0;
  uint64_t dropped_ = 0;

  Held held_[kWritersMax];
  size_t held_head_ = 0;
  size_t held_count_ = 0;
};

}  // namespace console
