// Memory-object mappings of a process: each MICA_SYS_MEMORY_MAP records the
// range it mapped and holds a reference to the object, so the object's
// frames stay allocated while any process can still reach them and go back
// to the frame allocator when the last handle and the last mapping are gone
// (a vm_free that unmaps every page of the range, or the process's end).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <core/mm/address_space.h>
#include <lib/result.h>

namespace user {

class MemoryObject;

struct MemoryMapping {
  MemoryObject* object;  // a reference
  uintptr_t address;
  size_t pages;
  MemoryMapping* next;
};

// A record of `object` mapped at [address, address + pages pages), taking a
// reference to it. kNoMemory.
lib::Result<MemoryMapping*> create_mapping(MemoryObject* object, uintptr_t address, size_t pages);

// Under the process's vm_lock: unlinks from *list the records overlapping
// [address, address + size) of which `space` no longer maps a single page
// to the object's frame, and returns them as a chain (for release_mappings).
MemoryMapping* detach_unmapped(MemoryMapping** list, const mm::AddressSpace& space,
                               uintptr_t address, size_t size);

// Drops the chain's references and frees its records. Without locks, and
// only once no CPU can use the translations any more (after the TLB
// shootdown): the last reference frees the frames.
void release_mappings(MemoryMapping* chain);

}  // namespace user
