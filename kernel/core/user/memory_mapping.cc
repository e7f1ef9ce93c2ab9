#include <core/mm/memory.h>
#include <core/user/hardware.h>
#include <core/user/memory_mapping.h>
#include <lib/new.h>

namespace user {

lib::Result<MemoryMapping*> create_mapping(MemoryObject* object, uintptr_t address, size_t pages) {
  void* memory = TRY(mm::heap().allocate(sizeof(MemoryMapping)));
  object->ref();
  return new (memory) MemoryMapping{object, address, pages, nullptr};
}

namespace {

// Whether `space` still maps some page of record `m` to its object's frame
// (a page unmapped and mapped again to something else does not count).
bool still_mapped(const MemoryMapping& m, const mm::AddressSpace& space) {
  for (size_t i = 0; i < m.pages; ++i) {
    auto t = space.query(m.address + i * mm::kPageSize);
    if (t.ok() && t.value().phys == m.object->frame(i)) return true;
  }
  return false;
}

}  // namespace

MemoryMapping* detach_unmapped(MemoryMapping** list, const mm::AddressSpace& space,
                               uintptr_t address, size_t size) {
  MemoryMapping* detached = nullptr;
  for (MemoryMapping** link = list; *link != nullptr;) {
    MemoryMapping* m = *link;
    bool overlaps = m->address < address + size && address < m->address + m->pages * mm::kPageSize;
    if (overlaps && !still_mapped(*m, space)) {
      *link = m->next;
      m->next = detached;
      detached = m;
    } else {
      link = &m->next;
    }
  }
  return detached;
}

void release_mappings(MemoryMapping* chain) {
  while (chain != nullptr) {
    MemoryMapping* next = chain->next;
    chain->object->unref();
    (void)mm::heap().free(chain, sizeof(MemoryMapping));
    chain = next;
  }
}

}  // namespace user
