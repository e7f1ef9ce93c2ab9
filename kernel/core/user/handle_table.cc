#include <core/mm/memory.h>
#include <core/user/handle_table.h>
#include <lib/string.h>

namespace user {

lib::Result<void> HandleTable::init(uint32_t capacity) {
  if (capacity == 0 || capacity > 0xffff) return lib::Status::kInvalidArgs;
  SpinLockGuard guard(lock_);
  TRY(entries_.init(capacity));
  capacity_ = capacity;
  for (uint32_t i = 0; i < capacity; ++i) {
    entries_[i] = {nullptr, 0, 1, static_cast<uint16_t>(i + 1 < capacity ? i + 2 : kEnd)};
  }
  free_head_ = 1;
  count_ = 0;
  return {};
}

void HandleTable::destroy(uint64_t owner) NO_THREAD_SAFETY_ANALYSIS {
  // Taken out under the lock, dropped outside it: dropping an object may
  // close other handle tables. A page of entries at a time.
  for (uint32_t first = 0; first < capacity_; first += PagedArray<Entry>::kPerPage) {
    Object* objects[PagedArray<Entry>::kPerPage];
    size_t n = 0;
    {
      SpinLockGuard guard(lock_);
      if (entries_.length() == 0) return;
      for (uint32_t i = first; i < capacity_ && i < first + PagedArray<Entry>::kPerPage; ++i) {
        if (entries_[i].object != nullptr) objects[n++] = entries_[i].object;
        entries_[i].object = nullptr;
      }
    }
    for (size_t i = 0; i < n; ++i) {
      if (owner != 0) objects[i]->owner_ending(owner);
      objects[i]->handle_closed();
      objects[i]->unref();
    }
  }
  SpinLockGuard guard(lock_);
  entries_.destroy();
  capacity_ = 0;  // lookups find nothing now
  free_head_ = kEnd;
  count_ = 0;
}

void HandleTable::release_locked(uint32_t index) {
  Entry& entry = entries_[index - 1];
  entry.object = nullptr;
  entry.generation = static_cast<uint16_t>((entry.generation + 1) & 0x7fff);
  entry.next_free = free_head_;
  free_head_ = static_cast<uint16_t>(index);
  --count_;
}

lib::Result<mica_handle_t> HandleTable::add(Object* object, uint32_t rights, bool in_flight) {
  SpinLockGuard guard(lock_);
  if (free_head_ == kEnd) return lib::Status::kNoSpace;
  uint32_t index = free_head_;
  Entry& entry = entries_[index - 1];
  free_head_ = entry.next_free;
  entry.object = object;
  entry.rights = rights & MICA_RIGHTS_ALL;
  ++count_;
  if (!in_flight) object->handle_opened();
  return static_cast<mica_handle_t>((uint32_t{entry.generation} << 16) | index);
}

lib::Result<Object*> HandleTable::take(mica_handle_t handle, uint32_t* rights) {
  Object* object;
  {
    SpinLockGuard guard(lock_);
    Entry* entry = lookup_locked(handle);
    if (entry == nullptr) return lib::Status::kBadHandle;
    if ((entry->rights & MICA_RIGHT_TRANSFER) == 0) return lib::Status::kNotPermitted;
    object = entry->object;
    *rights = entry->rights;
    release_locked(handle & 0xffff);
  }
  // The reference travels with the message, still counted as a handle.
  return object;
}

lib::Result<void> HandleTable::close(mica_handle_t handle) {
  Object* object;
  {
    SpinLockGuard guard(lock_);
    Entry* entry = lookup_locked(handle);
    if (entry == nullptr) return lib::Status::kBadHandle;
    object = entry->object;
    release_locked(handle & 0xffff);
  }
  object->handle_closed();
  object->unref();
  return {};
}

}  // namespace user
