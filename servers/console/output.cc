#include "output.h"

#include <string.h>

#include <new>

namespace console {

Output::~Output() {
  while (held_count_ != 0) pop_held();
}

size_t Output::put(const char* bytes, size_t length) {
  size_t room = kRingSize - queued();
  size_t n = length < room ? length : room;
  size_t at = static_cast<size_t>(tail_ % kRingSize);
  size_t first = n < kRingSize - at ? n : kRingSize - at;
  memcpy(ring_ + at, bytes, first);
  memcpy(ring_, bytes + first, n - first);  // wrapped
  tail_ += n;
  dropped_ += length - n;
  return n;
}

size_t Output::writer_room() const {
  constexpr size_t kLimit = kRingSize - kEchoReserve;
  return queued() < kLimit ? kLimit - queued() : 0;
}

size_t Output::write(const char* bytes, size_t length) {
  if (held_count_ != 0 || length == 0) return 0;
  return client_.show(bytes, length, writer_room());
}

bool Output::hold(uint32_t writer, const char* bytes, size_t length, size_t total) {
  if (held_count_ == kWritersMax) return false;
  char* copy = new (std::nothrow) char[length];
  if (copy == nullptr) return false;
  memcpy(copy, bytes, length);
  held_[(held_head_ + held_count_) % kWritersMax] = Held{writer, copy, length, 0, total};
  ++held_count_;
  return true;
}

void Output::pop_held() {
  delete[] held_[held_head_].bytes;
  held_[held_head_] = Held{};
  held_head_ = (held_head_ + 1) % kWritersMax;
  --held_count_;
}

void Output::discard_writers() {
  while (held_count_ != 0) {
    Held held = held_[held_head_];
    pop_held();
    client_.write_done(held.writer, held.total - held.length + held.shown);
  }
}

void Output::feed() {
  if (queued() > kResumeLevel) return;
  while (held_count_ != 0) {
    Held& held = held_[held_head_];
    size_t room = writer_room();
    size_t shown =
        room == 0 ? 0 : client_.show(held.bytes + held.shown, held.length - held.shown, room);
    held.shown += shown;
    if (held.shown < held.length) return;  // the ring is full again
    uint32_t writer = held.writer;
    size_t total = held.total;
    pop_held();
    client_.write_done(writer, total);
  }
}

size_t Output::transmit(size_t* budget) {
  size_t sent = 0;
  size_t room = 0;
  while (*budget != 0 && head_ != tail_) {
    if (room == 0) room = transmitter_.transmit_room();
    if (room == 0) break;
    // At most one piece of the ring at a time: up to its end.
    size_t at = static_cast<size_t>(head_ % kRingSize);
    size_t n = queued();
    if (n > kRingSize - at) n = kRingSize - at;
    if (n > room) n = room;
    if (n > *budget) n = *budget;
    transmitter_.transmit(ring_ + at, n);
    room -= n;
    head_ += n;
    *budget -= n;
    sent += n;
  }
  return sent;
}

size_t Output::refill() {
  size_t budget = kRefillMax;
  size_t sent = transmit(&budget);
  if (held_count_ != 0) {
    feed();
    // Prime the transmitter with what came in (the ring may have run dry
    // first): the interrupt is left on only over a full one.
    sent += transmit(&budget);
  }
  bool on = head_ != tail_;
  if (on != interrupt_on_) {
    transmitter_.set_transmit_interrupt(on);
    interrupt_on_ = on;
  }
  return sent;
}

}  // namespace console
