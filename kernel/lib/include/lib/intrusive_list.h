// IntrusiveList<T, &T::link>: a doubly-linked list whose nodes live inside
// the objects, so queueing never allocates. O(1) push, pop and remove.
#pragma once

#include <stddef.h>

namespace lib {

struct ListLink {
  ListLink* next = nullptr;
  ListLink* prev = nullptr;
  bool linked() const { return next != nullptr; }
};

template <typename T, ListLink T::*Link>
class IntrusiveList {
 public:
  constexpr IntrusiveList() = default;
  IntrusiveList(const IntrusiveList&) = delete;
  IntrusiveList& operator=(const IntrusiveList&) = delete;

  bool empty() const { return head_.next == nullptr || head_.next == &head_; }
  size_t size() const { return size_; }

  void push_back(T* item) { insert_before(&head(), &(item->*Link)); }
  void push_front(T* item) { insert_before(head().next, &(item->*Link)); }

  T* front() const { return empty() ? nullptr : owner(head_.next); }

  // The item after `item` (which must be on this list), or nullptr.
  T* next_of(T* item) const {
    ListLink* next = (item->*Link).next;
    return next == &head_ ? nullptr : owner(next);
  }

  T* pop_front() {
    if (empty()) return nullptr;
    T* item = owner(head_.next);
    remove(item);
    return item;
  }

  // `item` must be on this list.
  void remove(T* item) {
    ListLink* link = &(item->*Link);
    link->prev->next = link->next;
    link->next->prev = link->prev;
    link->next = link->prev = nullptr;
    --size_;
  }

 private:
  ListLink& head() {
    if (head_.next == nullptr) head_.next = head_.prev = &head_;
    return head_;
  }
  void insert_before(ListLink* position, ListLink* link) {
    head();
    link->next = position;
    link->prev = position->prev;
    position->prev->next = link;
    position->prev = link;
    ++size_;
  }
  static T* owner(ListLink* link) {
    // The offset of the link member within T.
    const size_t offset = reinterpret_cast<size_t>(&(static_cast<T*>(nullptr)->*Link));
    return reinterpret_cast<T*>(reinterpret_cast<char*>(link) - offset);
  }

  ListLink head_;
  size_t size_ = 0;
};

}  // namespace lib
