// A virtio split virtqueue (virtio 1.x section 2.7, and the legacy layout
// of section 4.1.5), the hardware-free part of drivers/virtio_blk: where
// the descriptor table, the available and the used ring lie in the queue's
// memory, posting a chain of buffers and taking used ones, with the rings'
// free-running 16-bit indices. Only <stddef.h> and <stdint.h>: built for
// user space and the host, where a test plays the device.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace virtio {

inline constexpr size_t kLegacyAlign = 4096;  // the legacy interface's queue alignment
inline constexpr uint16_t kMaxQueueSize = 32768;

// Descriptor flags.
inline constexpr uint16_t kDescNext = 1;
inline constexpr uint16_t kDescWrite = 2;  // the device writes the buffer

struct Descriptor {
  uint64_t address;  // physical
  uint32_t length;
  uint16_t flags;
  uint16_t next;
};
static_assert(sizeof(Descriptor) == 16);

struct UsedElement {
  uint32_t id;      // the head of the chain
  uint32_t length;  // bytes the device wrote
};
static_assert(sizeof(UsedElement) == 8);

struct Layout {
  size_t descriptors;  // offsets from the queue's start
  size_t available;
  size_t used;
  size_t bytes;  // the whole queue, rounded up to the alignment
};

// A queue size is a power of two from 1 to kMaxQueueSize (legacy devices
// fix it; modern ones allow smaller).
bool queue_size_ok(uint32_t size);

// The legacy layout of a queue of `size` (queue_size_ok) entries: the
// descriptors, then the available ring (flags, idx, ring[size],
// used_event), then at the next `align` boundary the used ring (flags,
// idx, ring[size], avail_event).
Layout legacy_layout(uint16_t size, size_t align = kLegacyAlign);

// Ring positions: the indices run freely modulo 2^16; an entry's slot is
// the index modulo the (power-of-two) size.
inline uint16_t ring_slot(uint16_t index, uint16_t size) {
  return static_cast<uint16_t>(index & (size - 1));
}
// How many entries lie between `from` and `to` (to - from, across the wrap).
inline uint16_t ring_distance(uint16_t from, uint16_t to) {
  return static_cast<uint16_t>(to - from);
}

struct Buffer {
  uint64_t address;  // physical
  uint32_t length;
  bool device_writes;
};

// A split virtqueue over memory the caller owns (`memory`, laid out by
// legacy_layout, zeroed; the device reaches it at `physical`). Descriptors
// are kept on a free list; one thread drives it.
class SplitQueue {
 public:
  // `size`: queue_size_ok. false if it is not.
  bool init(void* memory, uint16_t size);

  uint16_t size() const { return size_; }
  uint16_t free_descriptors() const { return free_count_; }

  // Puts the chain of `count` buffers in the descriptor table and its head
  // in the available ring (not yet visible: publish() makes it so). The
  // head, or -1 if fewer than `count` descriptors are free (or count is 0).
  int post(const Buffer* buffers, uint16_t count);
  // Makes what post() added visible to the device (a barrier, then the
  // available index). The caller then notifies the device.
  void publish();
  // Takes the next used chain, if the device has returned one: its head in
  // *head and the bytes written in *length; its descriptors are free again.
  bool take_used(uint32_t* head, uint32_t* length);
  // Chains posted and not yet taken back.
  uint16_t in_flight() const { return ring_distance(last_used_, available_index_); }

  // The rings, for a device model (tests) and for diagnostics.
  Descriptor* descriptors() const { return descriptors_; }
  volatile uint16_t* available_index() const { return available_ + 1; }
  volatile uint16_t* available_ring() const { return available_ + 2; }
  volatile uint16_t* used_index() const { return used_ + 1; }
  volatile UsedElement* used_ring() const {
    return reinterpret_cast<volatile UsedElement*>(used_ + 2);
  }

 private:
  Descriptor* descriptors_ = nullptr;
  volatile uint16_t* available_ = nullptr;  // flags, idx, ring[]
  volatile uint16_t* used_ = nullptr;       // flags, idx, then elements
  uint16_t size_ = 0;
  uint16_t free_head_ = 0;
  uint16_t free_count_ = 0;
  uint16_t available_index_ = 0;  // ours, ahead of the published one until publish()
  uint16_t last_used_ = 0;
};

}  // namespace virtio
