// Span<T>: a bounds-checked view of contiguous memory. Parsers read untrusted
// structures (boot info, device trees) only through spans, so every access is
// checked against the length the producer claimed and the length we really have.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace lib {

template <typename T>
class Span {
 public:
  constexpr Span() = default;
  constexpr Span(T* data, size_t size) : data_(data), size_(size) {}

  constexpr T* data() const { return data_; }
  constexpr size_t size() const { return size_; }
  constexpr bool empty() const { return size_ == 0; }
  constexpr T& operator[](size_t i) const { return data_[i]; }
  constexpr T* begin() const { return data_; }
  constexpr T* end() const { return data_ + size_; }

  // The sub-span [offset, offset + count); empty if out of range.
  constexpr Span subspan(size_t offset, size_t count) const {
    if (offset > size_ || count > size_ - offset) return Span();
    return Span(data_ + offset, count);
  }
  constexpr Span subspan(size_t offset) const {
    if (offset > size_) return Span();
    return Span(data_ + offset, size_ - offset);
  }

 private:
  T* data_ = nullptr;
  size_t size_ = 0;
};

using ByteSpan = Span<const uint8_t>;

// Reads a little- or big-endian integer at `offset`; false if it does not fit.
template <typename T>
constexpr bool read_le(ByteSpan bytes, size_t offset, T* out) {
  if (offset > bytes.size() || sizeof(T) > bytes.size() - offset) return false;
  T value = 0;
  for (size_t i = 0; i < sizeof(T); ++i) value |= static_cast<T>(bytes[offset + i]) << (8 * i);
  *out = value;
  return true;
}

template <typename T>
constexpr bool read_be(ByteSpan bytes, size_t offset, T* out) {
  if (offset > bytes.size() || sizeof(T) > bytes.size() - offset) return false;
  T value = 0;
  for (size_t i = 0; i < sizeof(T); ++i) value = static_cast<T>(value << 8) | bytes[offset + i];
  *out = value;
  return true;
}

}  // namespace lib
