#include <core/mm/frame_allocator.h>
#include <lib/string.h>

namespace mm {
namespace {

constexpr uint64_t words_for(uint64_t bits) {
  return (bits + 63) / 64;
}

}  // namespace

size_t FrameAllocator::storage_bytes(uint64_t frame_count) {
  uint64_t words = 0;
  uint64_t bits = frame_count == 0 ? 1 : frame_count;
  for (unsigned level = 0; level < kMaxLevels; ++level) {
    uint64_t level_words = words_for(bits);
    words += level_words;
    if (level_words == 1) break;
    bits = level_words;
  }
  return static_cast<size_t>(words * sizeof(uint64_t));
}

lib::Result<void> FrameAllocator::init(uint64_t base_frame, uint64_t frame_count, void* storage,
                                       size_t storage_size) {
  if (frame_count == 0 || storage == nullptr) return lib::Status::kInvalidArgs;
  if (storage_size < storage_bytes(frame_count)) return lib::Status::kInvalidArgs;
  if (reinterpret_cast<uintptr_t>(storage) % alignof(uint64_t) != 0) {
    return lib::Status::kInvalidArgs;
  }
  auto* words = static_cast<uint64_t*>(storage);
  uint64_t bits = frame_count;
  level_count_ = 0;
  for (unsigned level = 0; level < kMaxLevels; ++level) {
    level_[level] = words;
    level_words_[level] = words_for(bits);
    words += level_words_[level];
    ++level_count_;
    if (level_words_[level] == 1) break;
    bits = level_words_[level];
  }
  if (level_words_[level_count_ - 1] != 1) return lib::Status::kOutOfRange;
  memset(storage, 0, storage_bytes(frame_count));
  base_frame_ = base_frame;
  frame_count_ = frame_count;
  free_frames_ = 0;
  return {};
}

bool FrameAllocator::set_state(uint64_t index, bool free) {
  uint64_t& word = level_[0][index / 64];
  uint64_t bit = uint64_t{1} << (index % 64);
  bool was_empty = word == 0;
  if (free) {
    if ((word & bit) != 0) return false;
    word |= bit;
    // The summary above changes only if this word just gained its first bit.
    if (was_empty) summarize(index / 64, true);
    ++free_frames_;
  } else {
    if ((word & bit) == 0) return false;
    word &= ~bit;
    // ... or just lost its last one.
    if (word == 0) summarize(index / 64, false);
    --free_frames_;
  }
  return true;
}

bool FrameAllocator::is_free(uint64_t frame) const {
  if (frame < base_frame_ || frame - base_frame_ >= frame_count_) return false;
  uint64_t index = frame - base_frame_;
  return (level_[0][index / 64] >> (index % 64)) & 1;
}

uint64_t FrameAllocator::add_free_range(uint64_t first_frame, uint64_t count) {
  return change_range(first_frame, count, true);
}

uint64_t FrameAllocator::reserve_range(uint64_t first_frame, uint64_t count) {
  return change_range(first_frame, count, false);
}

// A word of bits at a time (the boot frees every frame of the machine:
// one at a time that was 130,000 calls on a 512 MiB PC).
uint64_t FrameAllocator::change_range(uint64_t first_frame, uint64_t count, bool free) {
  uint64_t limit = base_frame_ + frame_count_;
  uint64_t begin = first_frame < base_frame_ ? base_frame_ : first_frame;
  uint64_t end = count > limit - first_frame || first_frame > limit ? limit : first_frame + count;
  if (begin >= end) return 0;
  uint64_t changed = 0;
  for (uint64_t i = begin - base_frame_, stop = end - base_frame_; i < stop;) {
    uint64_t shift = i % 64;
    uint64_t n = 64 - shift < stop - i ? 64 - shift : stop - i;
    uint64_t mask = (n == 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1) << shift;
    uint64_t& word = level_[0][i / 64];
    bool was_empty = word == 0;
    if (free) {
      changed += static_cast<uint64_t>(__builtin_popcountll(mask & ~word));
      word |= mask;
      if (was_empty && word != 0) summarize(i / 64, true);
    } else {
      changed += static_cast<uint64_t>(__builtin_popcountll(mask & word));
      word &= ~mask;
      if (!was_empty && word == 0) summarize(i / 64, false);
    }
    i += n;
  }
  if (free) {
    free_frames_ += changed;
  } else {
    free_frames_ -= changed;
  }
  return changed;
}

// The summary levels above level 0's word `index`, which just became
// non-empty (or empty).
void FrameAllocator::summarize(uint64_t index, bool nonempty) {
  for (unsigned level = 1; level < level_count_; ++level) {
    uint64_t& word = level_[level][index / 64];
    uint64_t bit = uint64_t{1} << (index % 64);
    bool was_empty = word == 0;
    if (nonempty) {
      word |= bit;
      if (!was_empty) break;
    } else {
      word &= ~bit;
      if (word != 0) break;
    }
    index /= 64;
  }
}

lib::Result<uint64_t> FrameAllocator::allocate() {
  if (level_count_ == 0 || level_[level_count_ - 1][0] == 0) return lib::Status::kNoMemory;
  uint64_t index = 0;
  for (unsigned level = level_count_; level-- > 0;) {
    uint64_t word = level_[level][index];
    index = index * 64 + static_cast<uint64_t>(__builtin_ctzll(word));
  }
  set_state(index, false);
  return (base_frame_ + index) << kPageShift;
}

lib::Result<uint64_t> FrameAllocator::allocate_contiguous(uint64_t count, uint64_t alignment) {
  if (count == 0 || alignment == 0 || (alignment & (alignment - 1)) != 0) {
    return lib::Status::kInvalidArgs;
  }
  if (count == 1 && alignment == 1) return allocate();
  if (count > free_frames_) return lib::Status::kNoMemory;
  // Candidate starts are aligned in absolute frame numbers (that is what a
  // device sees), so begin at the first aligned frame of the span.
  uint64_t start = (base_frame_ + alignment - 1) / alignment * alignment - base_frame_;
  while (start + count <= frame_count_) {
    uint64_t run = 0;
    while (run < count) {
      uint64_t index = start + run;
      uint64_t word = level_[0][index / 64];
      if (word == 0) break;  // 64 used frames at once: skip below
      if (((word >> (index % 64)) & 1) == 0) break;
      ++run;
    }
    if (run == count) {
      for (uint64_t i = 0; i < count; ++i) set_state(start + i, false);
      return (base_frame_ + start) << kPageShift;
    }
    // Move past the frame that broke the run, to the next aligned start.
    uint64_t broken = start + run;
    if (level_[0][broken / 64] == 0) broken = (broken / 64 + 1) * 64 - 1;
    start = ((base_frame_ + broken + 1 + alignment - 1) / alignment * alignment) - base_frame_;
  }
  return lib::Status::kNoMemory;
}

lib::Result<void> FrameAllocator::free(uint64_t address) {
  if (address % kPageSize != 0) return lib::Status::kInvalidArgs;
  uint64_t frame = address >> kPageShift;
  if (frame < base_frame_ || frame - base_frame_ >= frame_count_) return lib::Status::kInvalidArgs;
  if (!set_state(frame - base_frame_, true)) return lib::Status::kAlreadyExists;
  return {};
}

lib::Result<void> FrameAllocator::free_contiguous(uint64_t address, uint64_t count) {
  if (address % kPageSize != 0) return lib::Status::kInvalidArgs;
  uint64_t frame = address >> kPageShift;
  if (frame < base_frame_ || count > frame_count_ || frame - base_frame_ > frame_count_ - count) {
    return lib::Status::kInvalidArgs;
  }
  // Check first, so a bad call changes nothing.
  for (uint64_t i = 0; i < count; ++i) {
    if (is_free(frame + i)) return lib::Status::kAlreadyExists;
  }
  for (uint64_t i = 0; i < count; ++i) set_state(frame - base_frame_ + i, true);
  return {};
}

}  // namespace mm
