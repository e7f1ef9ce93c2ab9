#include "virtqueue.h"

namespace virtio {

bool queue_size_ok(uint32_t size) {
  return size != 0 && size <= kMaxQueueSize && (size & (size - 1)) == 0;
}

Layout legacy_layout(uint16_t size, size_t align) {
  Layout l = {};
  l.descriptors = 0;
  l.available = sizeof(Descriptor) * size;
  size_t available_end = l.available + sizeof(uint16_t) * (3 + size);
  l.used = (available_end + align - 1) / align * align;
  size_t used_end = l.used + sizeof(uint16_t) * 3 + sizeof(UsedElement) * size;
  l.bytes = (used_end + align - 1) / align * align;
  return l;
}

bool SplitQueue::init(void* memory, uint16_t size) {
  if (!queue_size_ok(size)) return false;
  Layout l = legacy_layout(size);
  auto* base = static_cast<uint8_t*>(memory);
  descriptors_ = reinterpret_cast<Descriptor*>(base + l.descriptors);
  available_ = reinterpret_cast<volatile uint16_t*>(base + l.available);
  used_ = reinterpret_cast<volatile uint16_t*>(base + l.used);
  size_ = size;
  // The free list threads through `next`.
  for (uint16_t i = 0; i < size; ++i) {
    descriptors_[i] = Descriptor{0, 0, 0, static_cast<uint16_t>(i + 1 < size ? i + 1 : 0)};
  }
  free_head_ = 0;
  free_count_ = size;
  available_index_ = available_[1];
  last_used_ = used_[1];
  return true;
}

int SplitQueue::post(const Buffer* buffers, uint16_t count) {
  if (count == 0 || count > free_count_) return -1;
  uint16_t head = free_head_;
  uint16_t at = head;
  for (uint16_t i = 0; i < count; ++i) {
    Descriptor& d = descriptors_[at];
    uint16_t following = d.next;
    d.address = buffers[i].address;
    d.length = buffers[i].length;
    d.flags = static_cast<uint16_t>((buffers[i].device_writes ? kDescWrite : 0) |
                                    (i + 1 < count ? kDescNext : 0));
    if (i + 1 < count) {
      d.next = following;
      at = following;
    } else {
      free_head_ = following;
    }
  }
  free_count_ = static_cast<uint16_t>(free_count_ - count);
  available_ring()[ring_slot(available_index_, size_)] = head;
  available_index_ = static_cast<uint16_t>(available_index_ + 1);
  return head;
}

void SplitQueue::publish() {
  // The descriptors and ring entries before the index that shows them.
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  *available_index() = available_index_;
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

bool SplitQueue::take_used(uint32_t* head, uint32_t* length) {
  if (*used_index() == last_used_) return false;
  // The element after the index that says it is there.
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  volatile UsedElement& e = used_ring()[ring_slot(last_used_, size_)];
  uint32_t id = e.id;
  *length = e.length;
  *head = id;
  last_used_ = static_cast<uint16_t>(last_used_ + 1);
  if (id >= size_) return true;  // a device bug: nothing of ours to free
  // Give the chain's descriptors back: its tail links to the free list.
  uint16_t at = static_cast<uint16_t>(id);
  uint16_t count = 1;
  while ((descriptors_[at].flags & kDescNext) != 0 && count < size_) {
    at = descriptors_[at].next;
    ++count;
  }
  descriptors_[at].flags = 0;
  descriptors_[at].next = free_head_;
  free_head_ = static_cast<uint16_t>(id);
  free_count_ = static_cast<uint16_t>(free_count_ + count);
  return true;
}

}  // namespace virtio
