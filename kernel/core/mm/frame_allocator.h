// FrameAllocator: every physical page frame of the machine, free or in use.
//
// A hierarchical bitmap: level 0 has one bit per frame (1 = free); each word
// of level k+1 summarises 64 words of level k (bit set = that word has a free
// frame). Allocating walks from the single top word down with one
// count-trailing-zeros per level, and freeing walks back up, so both cost
// O(levels) = O(log64 frames): 3 levels cover 1 GiB, 4 cover 64 GiB, 7 cover
// all of a 48-bit physical space. The bitmap costs 1 bit per 4 KiB frame
// (32 KiB per GiB) plus 1/63 of that for the summaries.
//
// Frames are numbered from `base_frame`; the managed span may contain holes
// (they simply stay marked in use). Freeing a frame twice, or one outside the
// span, is an error the caller sees, not silent corruption.
//
// Not internally locked: the owner serialises access (a spinlock in the
// kernel once there is more than one CPU).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <lib/result.h>

namespace mm {

inline constexpr size_t kPageSize = 4096;
inline constexpr unsigned kPageShift = 12;

class FrameAllocator {
 public:
  static constexpr unsigned kMaxLevels = 8;

  // Bytes of storage init() needs to manage `frame_count` frames.
  static size_t storage_bytes(uint64_t frame_count);

  // Manages frames [base_frame, base_frame + frame_count), all initially in
  // use. `storage` must be storage_bytes(frame_count) bytes, 8-byte aligned,
  // and outlive the allocator.
  lib::Result<void> init(uint64_t base_frame, uint64_t frame_count, void* storage,
                         size_t storage_size);

  // Marks frames free or used in bulk (boot: usable ranges, then carve-outs).
  // Frames outside the span are ignored; returns how many changed state.
  uint64_t add_free_range(uint64_t first_frame, uint64_t count);
  uint64_t reserve_range(uint64_t first_frame, uint64_t count);

  // One frame: its physical address. kNoMemory when none is free.
  lib::Result<uint64_t> allocate();

  // `count` physically contiguous frames whose first frame number is a
  // multiple of `alignment` (frames, a power of two). Costs a scan of the
  // bitmap: for DMA buffers at start-up, not for hot paths.
  lib::Result<uint64_t> allocate_contiguous(uint64_t count, uint64_t alignment);

  // Returns one frame (physical address). kInvalidArgs if unaligned or
  // outside the span; kAlreadyExists if it is already free (double free).
  lib::Result<void> free(uint64_t address);
  lib::Result<void> free_contiguous(uint64_t address, uint64_t count);

  bool is_free(uint64_t frame) const;
  uint64_t free_frames() const { return free_frames_; }
  uint64_t managed_frames() const { return frame_count_; }
  uint64_t base_frame() const { return base_frame_; }
  unsigned levels() const { return level_count_; }

 private:
  // Sets (free) or clears (used) the bit of frame index `index` and keeps the
  // summaries consistent. Returns false if it already had that state.
  bool set_state(uint64_t index, bool free);
  uint64_t change_range(uint64_t first_frame, uint64_t count, bool free);
  void summarize(uint64_t index, bool nonempty);

  uint64_t* level_[kMaxLevels] = {};
  uint64_t level_words_[kMaxLevels] = {};
  unsigned level_count_ = 0;
  uint64_t base_frame_ = 0;
  uint64_t frame_count_ = 0;
  uint64_t free_frames_ = 0;
};

}  // namespace mm
