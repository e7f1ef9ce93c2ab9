// A process's handle table: a fixed-size array (the product's
// kMaxHandles) of object references with rights, allocated with the process.
// A handle value is the slot index + 1 in its low 16 bits and the slot's
// generation in the next 15: a closed handle's value stays invalid until its
// slot has been reused 32768 times. All operations are O(1).
#pragma once

#include <stdint.h>

#include <core/sync/spinlock.h>
#include <core/user/object.h>
#include <core/user/paged_array.h>
#include <lib/result.h>
#include <mica/syscall.h>

namespace user {

class HandleTable {
 public:
  HandleTable() = default;
  HandleTable(const HandleTable&) = delete;
  HandleTable& operator=(const HandleTable&) = delete;

  // kNoMemory if the entries cannot be had.
  lib::Result<void> init(uint32_t capacity);
  // Closes every handle and frees the entries.
  // Closes every handle. `owner`: the object id of the process whose table
  // this is (Object::owner_ending), or 0.
  void destroy(uint64_t owner = 0);

  // Adds a handle to `object` with `rights`, consuming one reference the
  // caller owns (on failure the caller keeps it). kNoSpace when full.
  // `in_flight`: the object comes from take() and is already counted as a
  // handle.
  lib::Result<mica_handle_t> add(Object* object, uint32_t rights, bool in_flight = false);

  // The object behind `handle`, with a new reference, if it has `type` (any
  // when kAny) and every right in `required`. kBadHandle, kInvalidArgs (wrong
  // type) or kNotPermitted (missing right).
  static constexpr uint8_t kAny = 0;
  // Inline: every system call on a handle starts here.
  lib::Result<Object*> get(mica_handle_t handle, uint8_t type, uint32_t required,
                           uint32_t* rights = nullptr) {
    SpinLockGuard guard(lock_);
    Entry* entry = lookup_locked(handle);
    if (entry == nullptr) return lib::Status::kBadHandle;
    if (type != kAny && static_cast<uint8_t>(entry->object->type()) != type) {
      return lib::Status::kInvalidArgs;
    }
    if ((entry->rights & required) != required) return lib::Status::kNotPermitted;
    if (rights != nullptr) *rights = entry->rights;
    entry->object->ref();
    return entry->object;
  }

  // For the IPC fast path: the object behind `handle` if it has `type` and
  // every right in `required`, else nullptr. No reference is taken: the
  // caller keeps the table locked until the object is held alive otherwise.
  Object* find_locked(mica_handle_t handle, uint8_t type, uint32_t required) REQUIRES(lock_) {
    Entry* entry = lookup_locked(handle);
    if (entry == nullptr || static_cast<uint8_t>(entry->object->type()) != type ||
        (entry->rights & required) != required) {
      return nullptr;
    }
    return entry->object;
  }
  SpinLock& lock() RETURN_CAPABILITY(lock_) { return lock_; }

  // Removes `handle` and gives its reference to the caller (sending it in a
  // message), still counted as a handle (Object::drop_in_flight if it is
  // never added anywhere); needs MICA_RIGHT_TRANSFER.
  lib::Result<Object*> take(mica_handle_t handle, uint32_t* rights);

  lib::Result<void> close(mica_handle_t handle);

  uint32_t count() const NO_THREAD_SAFETY_ANALYSIS { return count_; }

 private:
  struct Entry {
    Object* object;
    uint32_t rights;
    uint16_t generation;
    uint16_t next_free;  // free list, by index + 1 (0 ends it)
  };
  static constexpr uint16_t kEnd = 0;

  Entry* lookup_locked(mica_handle_t handle) REQUIRES(lock_) {
    uint32_t index = (handle & 0xffff);
    if (index == 0 || index > capacity_ || (handle >> 31) != 0) return nullptr;
    Entry& entry = entries_[index - 1];
    if (entry.object == nullptr || entry.generation != ((handle >> 16) & 0x7fff)) return nullptr;
    return &entry;
  }
  // Frees slot `index` (1-based) for reuse, with a new generation.
  void release_locked(uint32_t index) REQUIRES(lock_);

  SpinLock lock_;
  PagedArray<Entry> entries_ GUARDED_BY(lock_);
  uint32_t capacity_ = 0;
  uint16_t free_head_ GUARDED_BY(lock_) = kEnd;
  uint32_t count_ GUARDED_BY(lock_) = 0;
};

}  // namespace user
