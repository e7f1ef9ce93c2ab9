// A bump allocator with a hard cap, for what the shell builds while it runs
// one input line (the parsed command list, expanded words, argv arrays):
// everything is freed at once by reset(), and no line can make the shell
// use more than kDefaultCap bytes for it.
#pragma once

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <new>

namespace sh {

class Arena {
 public:
  static constexpr size_t kDefaultCap = 8u << 20;
  static constexpr size_t kChunkSize = 16u << 10;

  explicit Arena(size_t cap = kDefaultCap) : cap_(cap) {}
  ~Arena() { reset(); }
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Returns `size` bytes aligned for any scalar, or nullptr when the cap
  // would be exceeded or malloc fails (exhausted() then says so).
  void* allocate(size_t size) {
    size = (size + kAlign - 1) & ~(kAlign - 1);
    if (head_ == nullptr || head_->size - head_->used < size) {
      size_t chunk = size > kChunkSize ? size : kChunkSize;
      if (chunk > cap_ - total_ || size > cap_) {
        exhausted_ = true;
        return nullptr;
      }
      Chunk* c = static_cast<Chunk*>(malloc(sizeof(Chunk) + chunk));
      if (c == nullptr) {
        exhausted_ = true;
        return nullptr;
      }
      c->next = head_;
      c->size = chunk;
      c->used = 0;
      head_ = c;
      total_ += chunk;
    }
    void* p = reinterpret_cast<char*>(head_ + 1) + head_->used;
    head_->used += size;
    return p;
  }

  // A NUL-terminated copy of text[0..length), or nullptr.
  char* copy(const char* text, size_t length) {
    char* p = static_cast<char*>(allocate(length + 1));
    if (p == nullptr) return nullptr;
    memcpy(p, text, length);
    p[length] = 0;
    return p;
  }

  template <typename T>
  T* make() {
    void* p = allocate(sizeof(T));
    return p == nullptr ? nullptr : new (p) T();
  }

  // True once an allocation failed since the last reset().
  bool exhausted() const { return exhausted_; }

  // Frees everything allocated so far.
  void reset() {
    while (head_ != nullptr) {
      Chunk* next = head_->next;
      free(head_);
      head_ = next;
    }
    total_ = 0;
    exhausted_ = false;
  }

 private:
  static constexpr size_t kAlign = 16;
  struct alignas(16) Chunk {
    Chunk* next;
    size_t size;
    size_t used;
  };

  Chunk* head_ = nullptr;
  size_t total_ = 0;
  size_t cap_;
  bool exhausted_ = false;
};

}  // namespace sh
