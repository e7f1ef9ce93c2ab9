// ext2: see ext2.h. The on-disk format is the one of the Linux ext2 driver
// and e2fsprogs (Documentation/filesystems/ext2.rst); every structure read
// from the disk is checked before use.
#include "ext2.h"

#include <stdlib.h>
#include <string.h>

#include <new>

#include <errno.h>

namespace ext2 {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "the on-disk structures are read by memcpy: little-endian only");

namespace internal {

// The first 128 bytes of an inode (the rest of a large inode is kept as the
// disk has it, except when the inode is created).
struct Inode {
  uint16_t mode;
  uint16_t uid;
  uint32_t size_low;
  uint32_t atime;
  uint32_t ctime;
  uint32_t mtime;
  uint32_t dtime;
  uint16_t gid;
  uint16_t links;
  uint32_t blocks;  // 512-byte units
  uint32_t flags;
  uint32_t osd1;
  uint32_t block[15];
  uint32_t generation;
  uint32_t file_acl;
  uint32_t size_high;
  uint32_t faddr;
  uint16_t blocks_high;
  uint16_t file_acl_high;
  uint16_t uid_high;
  uint16_t gid_high;
  uint16_t checksum_low;
  uint16_t reserved;
};
static_assert(sizeof(Inode) == 128);

struct GroupDesc {
  uint32_t block_bitmap;
  uint32_t inode_bitmap;
  uint32_t inode_table;
  uint16_t free_blocks;
  uint16_t free_inodes;
  uint16_t used_dirs;
  uint16_t flags;
  uint8_t reserved[12];
};
static_assert(sizeof(GroupDesc) == 32);

// Where a directory entry is.
struct DirSlot {
  uint32_t block;        // disk block holding it
  uint32_t offset;       // its offset in that block
  uint32_t prev_offset;  // the previous entry's offset in the block, or kNone
  uint32_t ino;
  uint8_t type;  // the entry's file type (0 without the filetype feature)
};

}  // namespace internal

namespace {

using internal::DirSlot;
using internal::GroupDesc;
using internal::Inode;

constexpr int kCorrupt = -EIO;
constexpr uint32_t kNone = 0xffffffff;

constexpr uint64_t kSuperblockOffset = 1024;
constexpr size_t kSuperblockSize = 1024;
constexpr uint16_t kMagic = 0xef53;

// Superblock field offsets.
constexpr size_t kSbInodesCount = 0;
constexpr size_t kSbBlocksCount = 4;
constexpr size_t kSbReservedBlocks = 8;
constexpr size_t kSbFreeBlocks = 12;
constexpr size_t kSbFreeInodes = 16;
constexpr size_t kSbFirstDataBlock = 20;
constexpr size_t kSbLogBlockSize = 24;
constexpr size_t kSbBlocksPerGroup = 32;
constexpr size_t kSbInodesPerGroup = 40;
constexpr size_t kSbWtime = 48;
constexpr size_t kSbMagic = 56;
constexpr size_t kSbState = 58;
constexpr size_t kSbCreatorOs = 72;
constexpr size_t kSbRevLevel = 76;
constexpr size_t kSbFirstIno = 84;
constexpr size_t kSbInodeSize = 88;
constexpr size_t kSbFeatureIncompat = 96;
constexpr size_t kSbFeatureRoCompat = 100;

constexpr uint16_t kStateErrors = 2;

constexpr uint32_t kIncompatCompression = 0x1;
constexpr uint32_t kIncompatFiletype = 0x2;
constexpr uint32_t kIncompatRecover = 0x4;
constexpr uint32_t kIncompatJournalDev = 0x8;
constexpr uint32_t kIncompatMetaBg = 0x10;
constexpr uint32_t kIncompatExtents = 0x40;
constexpr uint32_t kIncompat64bit = 0x80;
constexpr uint32_t kIncompatFlexBg = 0x200;
constexpr uint32_t kIncompatSupported = kIncompatFiletype;

constexpr uint32_t kRoCompatSparseSuper = 0x1;
constexpr uint32_t kRoCompatLargeFile = 0x2;
constexpr uint32_t kRoCompatSupported = kRoCompatSparseSuper | kRoCompatLargeFile;

constexpr uint32_t kFirstInoRev0 = 11;
constexpr uint32_t kInodeSizeRev0 = 128;
constexpr uint32_t kDirectBlocks = 12;
constexpr uint32_t kIndirectSlot = 12;
constexpr uint32_t kFastSymlinkMax = 59;  // bytes of target in i_block, NUL excluded

constexpr uint32_t kFlagImmutable = 0x10;
constexpr uint32_t kFlagIndex = 0x1000;  // dir_index (htree) directory

constexpr uint16_t kLinkMax = 32000;
constexpr uint32_t kXattrMagic = 0xea020000;

// A group descriptor table beyond this is refused (a 32 MiB table is a
// multi-terabyte file system with 1 KiB blocks).
constexpr uint64_t kMaxDescriptorBytes = 32u << 20;

constexpr uint32_t kDirHeader = 8;

uint16_t load16(const uint8_t* p) {
  uint16_t v;
  memcpy(&v, p, sizeof(v));
  return v;
}
uint32_t load32(const uint8_t* p) {
  uint32_t v;
  memcpy(&v, p, sizeof(v));
  return v;
}
void store16(uint8_t* p, uint16_t v) {
  memcpy(p, &v, sizeof(v));
}
void store32(uint8_t* p, uint32_t v) {
  memcpy(p, &v, sizeof(v));
}

// A block-sized buffer from malloc, freed when it goes out of scope.
class Buffer {
 public:
  explicit Buffer(size_t size) : data_(static_cast<uint8_t*>(malloc(size))) {}
  ~Buffer() { free(data_); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  bool ok() const { return data_ != nullptr; }
  uint8_t* data() { return data_; }

 private:
  uint8_t* data_;
};

bool is_dir(const Inode& inode) {
  return (inode.mode & kModeTypeMask) == kModeDirectory;
}
bool is_regular(const Inode& inode) {
  return (inode.mode & kModeTypeMask) == kModeRegular;
}
bool is_symlink(const Inode& inode) {
  return (inode.mode & kModeTypeMask) == kModeSymlink;
}

FileType file_type_of(uint16_t mode) {
  switch (mode & kModeTypeMask) {
    case kModeRegular:
      return FileType::kRegular;
    case kModeDirectory:
      return FileType::kDirectory;
    case kModeCharDevice:
      return FileType::kCharDevice;
    case kModeBlockDevice:
      return FileType::kBlockDevice;
    case kModeFifo:
      return FileType::kFifo;
    case kModeSocket:
      return FileType::kSocket;
    case kModeSymlink:
      return FileType::kSymlink;
    default:
      return FileType::kUnknown;
  }
}

// The space an entry with an `name_length`-byte name needs.
uint32_t entry_size(uint32_t name_length) {
  return (kDirHeader + name_length + 3) & ~3u;
}

bool is_dot(const char* name, size_t length) {
  return length == 1 && name[0] == '.';
}
bool is_dot_dot(const char* name, size_t length) {
  return length == 2 && name[0] == '.' && name[1] == '.';
}

// A name for a new entry: 1..255 bytes, no '/' or NUL.
int check_new_name(const char* name, size_t length) {
  if (length > kMaxNameLength) return -ENAMETOOLONG;
  if (length == 0) return -ENOENT;
  if (memchr(name, '/', length) != nullptr || memchr(name, '\0', length) != nullptr) {
    return -EINVAL;
  }
  return 0;
}

// First zero bit in [start, end) of `bitmap`, or kNone.
uint32_t find_zero_bit(const uint8_t* bitmap, uint32_t start, uint32_t end) {
  uint32_t bit = start;
  while (bit < end) {
    if ((bit & 7) == 0 && bitmap[bit >> 3] == 0xff) {
      bit += 8;
      continue;
    }
    if ((bitmap[bit >> 3] & (1u << (bit & 7))) == 0) return bit;
    bit++;
  }
  return kNone;
}

}  // namespace

// ---- Mount ----

int Ext2::mount(BlockDevice* device, Ext2** out, const char** reason) {
  const char* ignored;
  if (reason == nullptr) reason = &ignored;
  *reason = "";
  if (device == nullptr || out == nullptr) return -EINVAL;
  *out = nullptr;
  void* memory = malloc(sizeof(Ext2));
  if (memory == nullptr) return -ENOMEM;
  Ext2* fs = new (memory) Ext2();
  int r = fs->init(device, reason);
  if (r < 0) {
    fs->~Ext2();
    free(memory);
    return r;
  }
  *out = fs;
  return 0;
}

int Ext2::unmount(Ext2* fs) {
  if (fs == nullptr) return 0;
  int r = fs->read_only_ ? 0 : fs->sync();
  fs->~Ext2();
  free(fs);
  return r;
}

Ext2::~Ext2() {
  free(superblock_);
  free(groups_);
}

int Ext2::init(BlockDevice* device, const char** reason) {
  device_ = device;
  uint64_t device_size = device->size();
  if (device_size < kSuperblockOffset + kSuperblockSize) {
    *reason = "device smaller than a superblock";
    return -EINVAL;
  }
  superblock_ = static_cast<uint8_t*>(malloc(kSuperblockSize));
  if (superblock_ == nullptr) return -ENOMEM;
  int r = device->read(kSuperblockOffset, superblock_, kSuperblockSize);
  if (r < 0) {
    *reason = "cannot read the superblock";
    return r;
  }
  const uint8_t* sb = superblock_;
  if (load16(sb + kSbMagic) != kMagic) {
    *reason = "bad magic: not ext2";
    return -EINVAL;
  }
  revision_ = load32(sb + kSbRevLevel);
  if (revision_ > 1) {
    *reason = "unknown revision";
    return -EINVAL;
  }
  uint32_t log = load32(sb + kSbLogBlockSize);
  if (log > 6) {
    *reason = "block size above 64 KiB";
    return -EINVAL;
  }
  log_block_size_ = 10 + log;
  block_size_ = 1u << log_block_size_;
  pointers_per_block_ = block_size_ / 4;
  blocks_count_ = load32(sb + kSbBlocksCount);
  first_data_block_ = load32(sb + kSbFirstDataBlock);
  blocks_per_group_ = load32(sb + kSbBlocksPerGroup);
  inodes_count_ = load32(sb + kSbInodesCount);
  inodes_per_group_ = load32(sb + kSbInodesPerGroup);
  if (first_data_block_ != (block_size_ == 1024 ? 1u : 0u)) {
    *reason = "first data block does not match the block size";
    return -EINVAL;
  }
  if (blocks_count_ <= first_data_block_ + 2) {
    *reason = "block count too small";
    return -EINVAL;
  }
  if ((static_cast<uint64_t>(blocks_count_) << log_block_size_) > device_size) {
    *reason = "file system larger than the device";
    return -EINVAL;
  }
  if (load32(sb + kSbReservedBlocks) > blocks_count_) {
    *reason = "more reserved blocks than blocks";
    return -EINVAL;
  }
  if (blocks_per_group_ < 8 || blocks_per_group_ > 8 * block_size_ || blocks_per_group_ % 8 != 0) {
    *reason = "bad blocks per group";
    return -EINVAL;
  }
  if (inodes_per_group_ == 0 || inodes_per_group_ > 8 * block_size_) {
    *reason = "bad inodes per group";
    return -EINVAL;
  }
  uint32_t data_blocks = blocks_count_ - first_data_block_;
  group_count_ = data_blocks / blocks_per_group_ + (data_blocks % blocks_per_group_ != 0 ? 1 : 0);
  if (static_cast<uint64_t>(group_count_) * inodes_per_group_ != inodes_count_) {
    *reason = "inode count does not match the group count";
    return -EINVAL;
  }
  if (revision_ == 0) {
    inode_size_ = kInodeSizeRev0;
    first_ino_ = kFirstInoRev0;
  } else {
    inode_size_ = load16(sb + kSbInodeSize);
    first_ino_ = load32(sb + kSbFirstIno);
    if (inode_size_ < kInodeSizeRev0 || inode_size_ > block_size_ ||
        (inode_size_ & (inode_size_ - 1)) != 0) {
      *reason = "bad inode size";
      return -EINVAL;
    }
    uint32_t incompat = load32(sb + kSbFeatureIncompat);
    uint32_t unknown = incompat & ~kIncompatSupported;
    if (unknown != 0) {
      if (unknown & kIncompatRecover) {
        *reason = "unsupported feature: needs_recovery (journal replay)";
      } else if (unknown & (kIncompatExtents | kIncompat64bit | kIncompatFlexBg)) {
        *reason = "unsupported feature: extents/64bit/flex_bg (ext4)";
      } else if (unknown & kIncompatMetaBg) {
        *reason = "unsupported feature: meta_bg";
      } else if (unknown & (kIncompatCompression | kIncompatJournalDev)) {
        *reason = "unsupported feature: compression/journal_dev";
      } else {
        *reason = "unknown incompat feature";
      }
      return -ENOTSUP;
    }
    filetype_ = (incompat & kIncompatFiletype) != 0;
    if ((load32(sb + kSbFeatureRoCompat) & ~kRoCompatSupported) != 0) read_only_ = true;
  }
  if (first_ino_ <= kRootIno || first_ino_ > inodes_count_) {
    *reason = "bad first inode";
    return -EINVAL;
  }
  if (load16(sb + kSbState) & kStateErrors) read_only_ = true;

  uint64_t descriptor_bytes = static_cast<uint64_t>(group_count_) * sizeof(GroupDesc);
  if (descriptor_bytes > kMaxDescriptorBytes) {
    *reason = "too many groups";
    return -EINVAL;
  }
  descriptor_blocks_ =
      static_cast<uint32_t>((descriptor_bytes + block_size_ - 1) >> log_block_size_);
  if (static_cast<uint64_t>(first_data_block_) + 1 + descriptor_blocks_ > blocks_count_) {
    *reason = "group descriptor table outside the file system";
    return -EINVAL;
  }
  groups_ = static_cast<uint8_t*>(malloc(static_cast<size_t>(descriptor_blocks_) * block_size_));
  if (groups_ == nullptr) return -ENOMEM;
  r = device->read(static_cast<uint64_t>(first_data_block_ + 1) << log_block_size_, groups_,
                   static_cast<size_t>(descriptor_blocks_) * block_size_);
  if (r < 0) {
    *reason = "cannot read the group descriptors";
    return r;
  }
  uint64_t table_blocks =
      (static_cast<uint64_t>(inodes_per_group_) * inode_size_ + block_size_ - 1) >> log_block_size_;
  uint64_t free_blocks = 0;
  uint64_t free_inodes = 0;
  for (uint32_t g = 0; g < group_count_; g++) {
    GroupDesc desc = group(g);
    if (!valid_block(desc.block_bitmap) || !valid_block(desc.inode_bitmap) ||
        !valid_block(desc.inode_table) || desc.inode_table + table_blocks > blocks_count_) {
      *reason = "group descriptor points outside the file system";
      return -EINVAL;
    }
    if (desc.free_blocks > blocks_in_group(g) || desc.free_inodes > inodes_per_group_ ||
        desc.used_dirs > inodes_per_group_) {
      *reason = "group descriptor counts out of range";
      return -EINVAL;
    }
    free_blocks += desc.free_blocks;
    free_inodes += desc.free_inodes;
  }
  // The groups' counts are the truth (as in Linux); the superblock's are
  // rewritten from them by sync().
  free_blocks_ = free_blocks;
  free_inodes_ = static_cast<uint32_t>(free_inodes);
  now_ = load32(sb + kSbWtime);
  generation_ = now_ ^ load32(sb + kSbFreeBlocks);
  if (!read_only_ && clean_unlinked_dir() < 0) {
    *reason = "cannot free the files unlinked while open before a crash";
    return kCorrupt;
  }
  return 0;
}

int Ext2::sync() {
  if (read_only_) return 0;
  store32(superblock_ + kSbFreeBlocks, static_cast<uint32_t>(free_blocks_));
  store32(superblock_ + kSbFreeInodes, free_inodes_);
  store32(superblock_ + kSbWtime, now_);
  int r = device_->write(kSuperblockOffset, superblock_, kSuperblockSize);
  if (r < 0) return r;
  return device_->write(static_cast<uint64_t>(first_data_block_ + 1) << log_block_size_, groups_,
                        static_cast<size_t>(descriptor_blocks_) * block_size_);
}

// ---- Blocks, groups and inodes ----

internal::GroupDesc Ext2::group(uint32_t g) const {
  GroupDesc desc;
  memcpy(&desc, groups_ + static_cast<size_t>(g) * sizeof(GroupDesc), sizeof(desc));
  return desc;
}

void Ext2::set_group(uint32_t g, const GroupDesc& desc) {
  memcpy(groups_ + static_cast<size_t>(g) * sizeof(GroupDesc), &desc, sizeof(desc));
}

uint32_t Ext2::blocks_in_group(uint32_t g) const {
  if (g + 1 < group_count_) return blocks_per_group_;
  return blocks_count_ - first_data_block_ - g * blocks_per_group_;
}

bool Ext2::valid_block(uint32_t block) const {
  return block >= first_data_block_ && block < blocks_count_;
}

int Ext2::read_block(uint32_t block, void* buffer) {
  if (!valid_block(block)) return kCorrupt;
  return device_->read(static_cast<uint64_t>(block) << log_block_size_, buffer, block_size_);
}

int Ext2::write_block(uint32_t block, const void* buffer) {
  if (!valid_block(block)) return kCorrupt;
  return device_->write(static_cast<uint64_t>(block) << log_block_size_, buffer, block_size_);
}

bool Ext2::valid_ino(uint32_t ino) const {
  return ino == kRootIno || (ino >= first_ino_ && ino <= inodes_count_);
}

uint64_t Ext2::inode_offset(uint32_t ino) const {
  uint32_t g = (ino - 1) / inodes_per_group_;
  uint32_t index = (ino - 1) % inodes_per_group_;
  return (static_cast<uint64_t>(group(g).inode_table) << log_block_size_) +
         static_cast<uint64_t>(index) * inode_size_;
}

int Ext2::read_inode(uint32_t ino, Inode* inode) {
  if (ino == 0 || ino > inodes_count_) return -EINVAL;
  return device_->read(inode_offset(ino), inode, sizeof(Inode));
}

int Ext2::write_inode(uint32_t ino, const Inode* inode) {
  if (ino == 0 || ino > inodes_count_) return -EINVAL;
  return device_->write(inode_offset(ino), inode, sizeof(Inode));
}

int Ext2::write_new_inode(uint32_t ino, const Inode* inode) {
  if (ino == 0 || ino > inodes_count_) return -EINVAL;
  Buffer buffer(inode_size_);
  if (!buffer.ok()) return -ENOMEM;
  memset(buffer.data(), 0, inode_size_);
  memcpy(buffer.data(), inode, sizeof(Inode));
  // A large inode's extra fields, as mke2fs writes them: i_extra_isize
  // covering the extra time stamps, and the creation time.
  constexpr uint32_t kLargeInodeFields = 160;
  if (inode_size_ >= kLargeInodeFields) {
    store16(buffer.data() + 128, kLargeInodeFields - 128);
    store32(buffer.data() + 144, now_);
  }
  return device_->write(inode_offset(ino), buffer.data(), inode_size_);
}

int Ext2::get_inode(uint32_t ino, Inode* inode) {
  if (!valid_ino(ino)) return -EINVAL;
  int r = read_inode(ino, inode);
  if (r < 0) return r;
  if (inode->links == 0) return -ENOENT;
  return 0;
}

uint64_t Ext2::inode_size(const Inode& inode) const {
  // Revision 0 used the high word of a directory's size as i_dir_acl.
  if (revision_ == 0 && is_dir(inode)) return inode.size_low;
  return inode.size_low | (static_cast<uint64_t>(inode.size_high) << 32);
}

void Ext2::set_inode_size(Inode* inode, uint64_t size) {
  inode->size_low = static_cast<uint32_t>(size);
  inode->size_high = static_cast<uint32_t>(size >> 32);
  if (size > 0x7fffffff && revision_ >= 1) {
    uint32_t ro_compat = load32(superblock_ + kSbFeatureRoCompat);
    store32(superblock_ + kSbFeatureRoCompat, ro_compat | kRoCompatLargeFile);
  }
}

uint64_t Ext2::max_file_size() const {
  uint64_t p = pointers_per_block_;
  uint64_t blocks = kDirectBlocks + p + p * p + p * p * p;
  uint64_t bytes = blocks << log_block_size_;
  // i_blocks counts 512-byte units in 32 bits (no huge_file).
  uint64_t limit = 0xffffffffull * 512;
  if (revision_ == 0) limit = 0x7fffffff;
  return bytes < limit ? bytes : limit;
}

uint32_t Ext2::xattr_sectors(const Inode& inode) const {
  return inode.file_acl != 0 ? sectors_per_block() : 0;
}

bool Ext2::has_block_map(const Inode& inode) const {
  if (is_regular(inode) || is_dir(inode)) return true;
  // A fast symlink keeps its target in i_block; device numbers live there
  // too.
  if (is_symlink(inode)) return inode.blocks > xattr_sectors(inode);
  return false;
}

// ---- Allocation ----

int Ext2::alloc_block(uint32_t goal, uint32_t* block) {
  if (read_only_) return -EROFS;
  if (free_blocks_ == 0) return -ENOSPC;
  uint32_t goal_group = 0;
  uint32_t goal_bit = 0;
  if (valid_block(goal)) {
    goal_group = (goal - first_data_block_) / blocks_per_group_;
    goal_bit = (goal - first_data_block_) % blocks_per_group_;
  }
  Buffer bitmap(block_size_);
  if (!bitmap.ok()) return -ENOMEM;
  for (uint32_t i = 0; i < group_count_; i++) {
    uint32_t g = (goal_group + i) % group_count_;
    GroupDesc desc = group(g);
    if (desc.free_blocks == 0) continue;
    int r = read_block(desc.block_bitmap, bitmap.data());
    if (r < 0) return r;
    uint32_t count = blocks_in_group(g);
    uint32_t start = i == 0 && goal_bit < count ? goal_bit : 0;
    uint32_t bit = find_zero_bit(bitmap.data(), start, count);
    if (bit == kNone && start > 0) bit = find_zero_bit(bitmap.data(), 0, start);
    if (bit == kNone) continue;  // the count is stale; the bitmap rules
    uint32_t found = first_data_block_ + g * blocks_per_group_ + bit;
    // A bitmap that calls the group's own metadata free is corrupt: never
    // hand out the superblock, descriptors, bitmaps or inode table.
    uint64_t table_blocks =
        (static_cast<uint64_t>(inodes_per_group_) * inode_size_ + block_size_ - 1) >>
        log_block_size_;
    if (found <= first_data_block_ + descriptor_blocks_ || found == desc.block_bitmap ||
        found == desc.inode_bitmap ||
        (found >= desc.inode_table && found < desc.inode_table + table_blocks)) {
      return kCorrupt;
    }
    bitmap.data()[bit >> 3] |= static_cast<uint8_t>(1u << (bit & 7));
    r = device_->write((static_cast<uint64_t>(desc.block_bitmap) << log_block_size_) + (bit >> 3),
                       bitmap.data() + (bit >> 3), 1);
    if (r < 0) return r;
    desc.free_blocks--;
    set_group(g, desc);
    free_blocks_--;
    *block = found;
    return 0;
  }
  return -ENOSPC;
}

int Ext2::free_block(uint32_t block) {
  if (!valid_block(block)) return kCorrupt;
  uint32_t g = (block - first_data_block_) / blocks_per_group_;
  uint32_t bit = (block - first_data_block_) % blocks_per_group_;
  GroupDesc desc = group(g);
  uint64_t offset = (static_cast<uint64_t>(desc.block_bitmap) << log_block_size_) + (bit >> 3);
  uint8_t byte;
  int r = device_->read(offset, &byte, 1);
  if (r < 0) return r;
  uint8_t mask = static_cast<uint8_t>(1u << (bit & 7));
  if ((byte & mask) == 0) return kCorrupt;  // freed twice: a block shared by two owners
  byte &= static_cast<uint8_t>(~mask);
  r = device_->write(offset, &byte, 1);
  if (r < 0) return r;
  if (desc.free_blocks < blocks_in_group(g)) desc.free_blocks++;
  set_group(g, desc);
  free_blocks_++;
  return 0;
}

int Ext2::alloc_inode(uint32_t parent, bool directory, uint32_t* ino) {
  if (read_only_) return -EROFS;
  if (free_inodes_ == 0) return -ENOSPC;
  uint32_t parent_group = valid_ino(parent) ? (parent - 1) / inodes_per_group_ : 0;
  Buffer bitmap(block_size_);
  if (!bitmap.ok()) return -ENOMEM;
  for (uint32_t i = 0; i < group_count_; i++) {
    uint32_t g = (parent_group + i) % group_count_;
    GroupDesc desc = group(g);
    if (desc.free_inodes == 0) continue;
    // The reserved inodes below first_ino are never handed out.
    uint64_t group_first = static_cast<uint64_t>(g) * inodes_per_group_;
    uint32_t start = 0;
    if (first_ino_ - 1 > group_first) {
      uint64_t skip = first_ino_ - 1 - group_first;
      start = skip < inodes_per_group_ ? static_cast<uint32_t>(skip) : inodes_per_group_;
    }
    int r = read_block(desc.inode_bitmap, bitmap.data());
    if (r < 0) return r;
    uint32_t bit = find_zero_bit(bitmap.data(), start, inodes_per_group_);
    if (bit == kNone) continue;
    bitmap.data()[bit >> 3] |= static_cast<uint8_t>(1u << (bit & 7));
    r = device_->write((static_cast<uint64_t>(desc.inode_bitmap) << log_block_size_) + (bit >> 3),
                       bitmap.data() + (bit >> 3), 1);
    if (r < 0) return r;
    desc.free_inodes--;
    if (directory) desc.used_dirs++;
    set_group(g, desc);
    free_inodes_--;
    *ino = static_cast<uint32_t>(group_first + bit + 1);
    return 0;
  }
  return -ENOSPC;
}

int Ext2::free_inode(uint32_t ino, bool directory) {
  if (ino == 0 || ino > inodes_count_) return kCorrupt;
  uint32_t g = (ino - 1) / inodes_per_group_;
  uint32_t bit = (ino - 1) % inodes_per_group_;
  GroupDesc desc = group(g);
  uint64_t offset = (static_cast<uint64_t>(desc.inode_bitmap) << log_block_size_) + (bit >> 3);
  uint8_t byte;
  int r = device_->read(offset, &byte, 1);
  if (r < 0) return r;
  uint8_t mask = static_cast<uint8_t>(1u << (bit & 7));
  if ((byte & mask) == 0) return kCorrupt;
  byte &= static_cast<uint8_t>(~mask);
  r = device_->write(offset, &byte, 1);
  if (r < 0) return r;
  if (desc.free_inodes < inodes_per_group_) desc.free_inodes++;
  if (directory && desc.used_dirs > 0) desc.used_dirs--;
  set_group(g, desc);
  free_inodes_++;
  return 0;
}

int Ext2::release_xattr_block(uint32_t block) {
  Buffer buffer(block_size_);
  if (!buffer.ok()) return -ENOMEM;
  int r = read_block(block, buffer.data());
  if (r < 0) return r;
  if (load32(buffer.data()) != kXattrMagic) return kCorrupt;
  uint32_t refcount = load32(buffer.data() + 4);
  if (refcount > 1) {
    store32(buffer.data() + 4, refcount - 1);
    return write_block(block, buffer.data());
  }
  return free_block(block);
}

// ---- File block mapping ----

int Ext2::map_block(Inode* inode, uint64_t index, bool allocate, uint32_t* block, bool* fresh) {
  *block = 0;
  if (fresh != nullptr) *fresh = false;
  const uint64_t p = pointers_per_block_;
  const uint32_t sectors = sectors_per_block();
  // Allocates a block for the map, counted in i_blocks.
  auto allocate_one = [&](uint32_t* out) -> int {
    if (inode->blocks > 0xffffffffu - sectors) return -EFBIG;
    int r = alloc_block(goal_, out);
    if (r < 0) return r;
    goal_ = *out + 1;
    inode->blocks += sectors;
    return 0;
  };
  if (index < kDirectBlocks) {
    uint32_t entry = inode->block[index];
    if (entry != 0) {
      if (!valid_block(entry)) return kCorrupt;
      *block = entry;
      return 0;
    }
    if (!allocate) return 0;
    int r = allocate_one(&entry);
    if (r < 0) return r;
    inode->block[index] = entry;
    *block = entry;
    if (fresh != nullptr) *fresh = true;
    return 0;
  }
  index -= kDirectBlocks;
  int levels = 1;
  uint64_t span = p;  // file blocks under the tree's root
  while (index >= span) {
    index -= span;
    // Past the largest file: nothing is mapped there (a corrupt size).
    if (++levels > 3) return allocate ? -EFBIG : 0;
    span *= p;
  }
  uint32_t* root = &inode->block[kIndirectSlot + levels - 1];
  Buffer buffer(block_size_);
  if (!buffer.ok()) return -ENOMEM;
  uint32_t current = *root;
  if (current == 0) {
    if (!allocate) return 0;
    int r = allocate_one(&current);
    if (r < 0) return r;
    memset(buffer.data(), 0, block_size_);
    r = write_block(current, buffer.data());
    *root = current;  // linked even if the write failed: truncate frees it
    if (r < 0) return r;
  } else if (!valid_block(current)) {
    return kCorrupt;
  }
  for (int level = levels; level >= 1; level--) {
    span /= p;  // file blocks under each entry of this level's block
    uint32_t slot = static_cast<uint32_t>(index / span);
    index %= span;
    uint64_t entry_offset = (static_cast<uint64_t>(current) << log_block_size_) + slot * 4u;
    uint8_t raw[4];
    int r = device_->read(entry_offset, raw, sizeof(raw));
    if (r < 0) return r;
    uint32_t entry = load32(raw);
    if (entry == 0) {
      if (!allocate) return 0;
      r = allocate_one(&entry);
      if (r < 0) return r;
      if (level > 1) {
        memset(buffer.data(), 0, block_size_);
        r = write_block(entry, buffer.data());
      }
      store32(raw, entry);
      int w = device_->write(entry_offset, raw, sizeof(raw));
      if (w < 0) {
        // Unlinked: give it back so the bitmap stays true.
        inode->blocks -= sectors;
        free_block(entry);
        return w;
      }
      if (r < 0) return r;
      if (level == 1 && fresh != nullptr) *fresh = true;
    } else if (!valid_block(entry)) {
      return kCorrupt;
    }
    current = entry;
  }
  *block = current;
  return 0;
}

int Ext2::free_tree(uint32_t block, int level, uint64_t first, uint64_t keep, Inode* inode,
                    bool* freed) {
  *freed = false;
  const uint64_t p = pointers_per_block_;
  const uint32_t sectors = sectors_per_block();
  uint64_t child_span = 1;
  for (int i = 1; i < level; i++) child_span *= p;
  if (first + p * child_span <= keep && level > 0) return 0;  // all kept
  if (!valid_block(block)) return kCorrupt;
  int result = 0;
  if (level > 0) {
    Buffer buffer(block_size_);
    if (!buffer.ok()) return -ENOMEM;
    int r = read_block(block, buffer.data());
    if (r < 0) return r;
    bool modified = false;
    for (uint64_t i = 0; i < p; i++) {
      uint64_t child_first = first + i * child_span;
      if (child_first + child_span <= keep) continue;
      uint32_t entry = load32(buffer.data() + i * 4);
      if (entry == 0) continue;
      bool child_freed;
      r = free_tree(entry, level - 1, child_first, keep, inode, &child_freed);
      if (r < 0) result = r;
      if (child_freed) {
        store32(buffer.data() + i * 4, 0);
        modified = true;
      }
    }
    if (first < keep) {
      if (modified) {
        r = write_block(block, buffer.data());
        if (r < 0) result = r;
      }
      return result;
    }
  } else if (first < keep) {
    return 0;
  }
  int r = free_block(block);
  if (r < 0) return r;
  inode->blocks = inode->blocks >= sectors ? inode->blocks - sectors : 0;
  *freed = true;
  return result;
}

int Ext2::truncate_blocks(Inode* inode, uint64_t size) {
  if (!has_block_map(*inode)) return 0;
  const uint64_t p = pointers_per_block_;
  uint64_t keep = (size + block_size_ - 1) >> log_block_size_;
  int result = 0;
  for (uint32_t i = 0; i < kDirectBlocks; i++) {
    if (i < keep || inode->block[i] == 0) continue;
    bool freed;
    int r = free_tree(inode->block[i], 0, i, keep, inode, &freed);
    if (r < 0) {
      result = r;
      continue;
    }
    inode->block[i] = 0;
  }
  uint64_t first = kDirectBlocks;
  uint64_t span = p;
  for (int level = 1; level <= 3; level++) {
    uint32_t* root = &inode->block[kIndirectSlot + level - 1];
    if (*root != 0) {
      bool freed;
      int r = free_tree(*root, level, first, keep, inode, &freed);
      if (r < 0) result = r;
      if (freed) *root = 0;
    }
    first += span;
    span *= p;
  }
  return result;
}

int Ext2::read_data(Inode* inode, uint64_t offset, void* buffer, size_t size) {
  uint64_t file_size = inode_size(*inode);
  if (offset >= file_size) return 0;
  if (size > file_size - offset) size = static_cast<size_t>(file_size - offset);
  if (size > 0x7fffffff) size = 0x7fffffff;
  uint8_t* out = static_cast<uint8_t*>(buffer);
  size_t done = 0;
  while (done < size) {
    uint64_t position = offset + done;
    uint32_t within = static_cast<uint32_t>(position & (block_size_ - 1));
    size_t chunk = block_size_ - within;
    if (chunk > size - done) chunk = size - done;
    uint32_t block;
    int r = map_block(inode, position >> log_block_size_, false, &block, nullptr);
    if (r < 0) return r;
    if (block == 0) {
      memset(out + done, 0, chunk);
    } else {
      r = device_->read((static_cast<uint64_t>(block) << log_block_size_) + within, out + done,
                        chunk);
      if (r < 0) return r;
    }
    done += chunk;
  }
  return static_cast<int>(done);
}

int Ext2::write_data(uint32_t ino, Inode* inode, uint64_t offset, const void* buffer, size_t size) {
  if (read_only_) return -EROFS;
  if (size == 0) return 0;
  uint64_t max = max_file_size();
  if (offset >= max) return -EFBIG;
  if (size > max - offset) size = static_cast<size_t>(max - offset);
  if (size > 0x7fffffff) size = 0x7fffffff;
  Buffer block_buffer(block_size_);
  if (!block_buffer.ok()) return -ENOMEM;
  if (goal_ == 0 || !valid_block(goal_)) {
    uint32_t g = (ino - 1) / inodes_per_group_;
    goal_ = first_data_block_ + g * blocks_per_group_;
  }
  const uint8_t* in = static_cast<const uint8_t*>(buffer);
  size_t done = 0;
  int error = 0;
  while (done < size) {
    uint64_t position = offset + done;
    uint32_t within = static_cast<uint32_t>(position & (block_size_ - 1));
    size_t chunk = block_size_ - within;
    if (chunk > size - done) chunk = size - done;
    uint32_t block;
    bool fresh;
    error = map_block(inode, position >> log_block_size_, true, &block, &fresh);
    if (error < 0) break;
    if (fresh && chunk < block_size_) {
      // A new block: what the write leaves must read as zeros.
      memset(block_buffer.data(), 0, block_size_);
      memcpy(block_buffer.data() + within, in + done, chunk);
      error = write_block(block, block_buffer.data());
    } else {
      error = device_->write((static_cast<uint64_t>(block) << log_block_size_) + within, in + done,
                             chunk);
    }
    if (error < 0) {
      // The block is mapped but its content unknown: keep it only inside
      // the file (the end is not moved over it), truncate below frees it.
      break;
    }
    done += chunk;
  }
  uint64_t end = offset + done;
  if (end > inode_size(*inode)) set_inode_size(inode, end);
  if (done > 0) inode->mtime = inode->ctime = now_;
  if (error < 0) {
    // Blocks mapped past the end by the failed step go back.
    truncate_blocks(inode, inode_size(*inode));
  }
  int r = write_inode(ino, inode);
  if (done > 0) return r < 0 ? r : static_cast<int>(done);
  return error < 0 ? error : r;
}

int Ext2::release_inode(uint32_t ino, Inode* inode) {
  bool directory = is_dir(*inode);
  int result = truncate_blocks(inode, 0);
  if (!has_block_map(*inode)) memset(inode->block, 0, sizeof(inode->block));
  if (inode->file_acl != 0) {
    int r = release_xattr_block(inode->file_acl);
    if (r < 0) {
      result = r;
    } else {
      inode->file_acl = 0;
    }
  }
  inode->links = 0;
  inode->dtime = now_;
  inode->blocks = 0;
  set_inode_size(inode, 0);
  int r = write_inode(ino, inode);
  if (r < 0) return r;
  r = free_inode(ino, directory);
  return r < 0 ? r : result;
}

// ---- Directories ----

namespace {

// One directory entry as walk_dir hands it out: checked to lie inside its
// block, with a name inside the entry.
struct RawEntry {
  uint32_t ino;
  uint32_t rec_len;
  uint32_t name_length;
  uint8_t type;
  const char* name;
};

}  // namespace

uint32_t Ext2::decode_rec_len(uint16_t stored) const {
  if (block_size_ >= 65536 && (stored == 0xffff || stored == 0)) return 65536;
  return stored;
}

uint16_t Ext2::encode_rec_len(uint32_t length) const {
  return length >= 65536 ? 0xffff : static_cast<uint16_t>(length);
}

// Calls visit(block, data, offset, prev_offset, entry) for each entry of the
// directory in order. visit returns 0 to go on, > 0 to stop (walk_dir returns
// it) or < 0 for an error; it may change `data` and write it back itself.
template <typename Visit>
int Ext2::walk_dir(Inode* dir_inode, Visit visit) {
  uint64_t size = inode_size(*dir_inode);
  if ((size & (block_size_ - 1)) != 0) return kCorrupt;
  uint64_t blocks = size >> log_block_size_;
  Buffer buffer(block_size_);
  if (!buffer.ok()) return -ENOMEM;
  uint8_t* data = buffer.data();
  for (uint64_t i = 0; i < blocks; i++) {
    uint32_t block;
    int r = map_block(dir_inode, i, false, &block, nullptr);
    if (r < 0) return r;
    if (block == 0) return kCorrupt;  // directories have no holes
    r = read_block(block, data);
    if (r < 0) return r;
    uint32_t offset = 0;
    uint32_t prev = kNone;
    while (offset < block_size_) {
      if (block_size_ - offset < kDirHeader) return kCorrupt;
      const uint8_t* p = data + offset;
      RawEntry entry;
      entry.ino = load32(p);
      entry.rec_len = decode_rec_len(load16(p + 4));
      entry.name_length = p[6];
      entry.type = filetype_ ? p[7] : 0;
      entry.name = reinterpret_cast<const char*>(p + kDirHeader);
      if (entry.rec_len < 12 || (entry.rec_len & 3) != 0 || entry.rec_len > block_size_ - offset ||
          entry_size(entry.name_length) > entry.rec_len) {
        return kCorrupt;
      }
      if (entry.ino != 0 && (entry.ino > inodes_count_ || entry.name_length == 0)) {
        return kCorrupt;
      }
      r = visit(block, data, offset, prev, entry);
      if (r != 0) return r;
      prev = offset;
      offset += entry.rec_len;
    }
  }
  return 0;
}

int Ext2::find_entry(Inode* dir_inode, const char* name, size_t length, DirSlot* slot) {
  int r = walk_dir(dir_inode, [&](uint32_t block, uint8_t*, uint32_t offset, uint32_t prev,
                                  const RawEntry& entry) {
    if (entry.ino == 0 || entry.name_length != length) return 0;
    if (memcmp(entry.name, name, length) != 0) return 0;
    slot->block = block;
    slot->offset = offset;
    slot->prev_offset = prev;
    slot->ino = entry.ino;
    slot->type = entry.type;
    return 1;
  });
  if (r < 0) return r;
  if (r == 0) return -ENOENT;
  // An entry naming a reserved inode (other than the root) is corrupt.
  if (!valid_ino(slot->ino)) return kCorrupt;
  return 0;
}

void Ext2::touch_dir(Inode* dir_inode) {
  dir_inode->mtime = dir_inode->ctime = now_;
  // The hash index (dir_index) is not kept up to date: drop it, the
  // directory stays valid as a linear one.
  dir_inode->flags &= ~kFlagIndex;
}

int Ext2::add_entry(uint32_t dir, Inode* dir_inode, const char* name, size_t length, uint32_t ino,
                    uint16_t mode) {
  uint32_t need = entry_size(static_cast<uint32_t>(length));
  uint8_t type = filetype_ ? static_cast<uint8_t>(file_type_of(mode)) : 0;
  auto fill = [&](uint8_t* p, uint32_t rec_len) {
    store32(p, ino);
    store16(p + 4, encode_rec_len(rec_len));
    p[6] = static_cast<uint8_t>(length);
    p[7] = type;
    memcpy(p + kDirHeader, name, length);
  };
  int r = walk_dir(dir_inode, [&](uint32_t block, uint8_t* data, uint32_t offset, uint32_t,
                                  const RawEntry& entry) {
    uint32_t used = entry.ino != 0 ? entry_size(entry.name_length) : 0;
    if (entry.rec_len - used < need) return 0;
    uint32_t at = offset;
    uint32_t rec_len = entry.rec_len;
    if (entry.ino != 0) {
      // Split: the old entry keeps what it uses, the new one takes the rest.
      store16(data + offset + 4, encode_rec_len(used));
      at = offset + used;
      rec_len -= used;
    }
    fill(data + at, rec_len);
    int w = write_block(block, data);
    return w < 0 ? w : 1;
  });
  if (r < 0) return r;
  if (r == 0) {
    // No room: a new block at the end.
    uint64_t size = inode_size(*dir_inode);
    if (size + block_size_ > 0xffffffffu) return -EFBIG;
    Buffer buffer(block_size_);
    if (!buffer.ok()) return -ENOMEM;
    uint32_t block;
    bool fresh;
    if (goal_ == 0 || !valid_block(goal_)) goal_ = dir_inode->block[0];
    r = map_block(dir_inode, size >> log_block_size_, true, &block, &fresh);
    if (r >= 0) {
      memset(buffer.data(), 0, block_size_);
      fill(buffer.data(), block_size_);
      r = write_block(block, buffer.data());
    }
    if (r < 0) {
      truncate_blocks(dir_inode, size);
      write_inode(dir, dir_inode);
      return r;
    }
    set_inode_size(dir_inode, size + block_size_);
  }
  touch_dir(dir_inode);
  return write_inode(dir, dir_inode);
}

int Ext2::remove_entry(uint32_t dir, Inode* dir_inode, const DirSlot& slot) {
  Buffer buffer(block_size_);
  if (!buffer.ok()) return -ENOMEM;
  int r = read_block(slot.block, buffer.data());
  if (r < 0) return r;
  uint8_t* entry = buffer.data() + slot.offset;
  if (slot.prev_offset != kNone) {
    // Merge into the previous entry.
    uint8_t* prev = buffer.data() + slot.prev_offset;
    uint32_t merged = decode_rec_len(load16(prev + 4)) + decode_rec_len(load16(entry + 4));
    store16(prev + 4, encode_rec_len(merged));
  } else {
    store32(entry, 0);  // the first entry of a block becomes an empty one
  }
  r = write_block(slot.block, buffer.data());
  if (r < 0) return r;
  touch_dir(dir_inode);
  return write_inode(dir, dir_inode);
}

int Ext2::set_entry_inode(uint32_t dir, Inode* dir_inode, const DirSlot& slot, uint32_t ino,
                          uint16_t mode) {
  Buffer buffer(block_size_);
  if (!buffer.ok()) return -ENOMEM;
  int r = read_block(slot.block, buffer.data());
  if (r < 0) return r;
  store32(buffer.data() + slot.offset, ino);
  if (filetype_) buffer.data()[slot.offset + 7] = static_cast<uint8_t>(file_type_of(mode));
  r = write_block(slot.block, buffer.data());
  if (r < 0) return r;
  touch_dir(dir_inode);
  return write_inode(dir, dir_inode);
}

int Ext2::dir_is_empty(Inode* dir_inode) {
  int r = walk_dir(dir_inode, [&](uint32_t, uint8_t*, uint32_t, uint32_t, const RawEntry& entry) {
    if (entry.ino == 0) return 0;
    if (is_dot(entry.name, entry.name_length) || is_dot_dot(entry.name, entry.name_length)) {
      return 0;
    }
    return 1;
  });
  if (r < 0) return r;
  return r == 0 ? 1 : 0;
}

int Ext2::get_dir(uint32_t dir, Inode* inode) {
  int r = get_inode(dir, inode);
  if (r < 0) return r;
  if (!is_dir(*inode)) return -ENOTDIR;
  return 0;
}

int Ext2::adjust_links(uint32_t ino, int delta) {
  Inode inode;
  int r = get_inode(ino, &inode);
  if (r < 0) return r;
  int links = inode.links + delta;
  if (links < 0 || links > 0xffff) return kCorrupt;
  inode.links = static_cast<uint16_t>(links);
  inode.ctime = now_;
  return write_inode(ino, &inode);
}

// 1 if directory `ancestor` is `dir` or above it, 0 if not.
int Ext2::is_ancestor(uint32_t ancestor, uint32_t dir) {
  uint32_t current = dir;
  // A loop of ".." entries on a corrupt disk must not hang: a path cannot be
  // deeper than there are inodes.
  for (uint32_t steps = 0; steps <= inodes_count_; steps++) {
    if (current == ancestor) return 1;
    if (current == kRootIno) return 0;
    Inode inode;
    int r = get_dir(current, &inode);
    if (r < 0) return r;
    DirSlot slot;
    r = find_entry(&inode, "..", 2, &slot);
    if (r < 0) return r == -ENOENT ? kCorrupt : r;
    current = slot.ino;
  }
  return kCorrupt;
}

// ---- The API ----

int Ext2::lookup(uint32_t dir, const char* name, size_t length, uint32_t* ino) {
  FileType type;
  return lookup(dir, name, length, ino, &type);
}

int Ext2::lookup(uint32_t dir, const char* name, size_t length, uint32_t* ino, FileType* type) {
  if (length > kMaxNameLength) return -ENAMETOOLONG;
  if (length == 0) return -ENOENT;
  Inode dir_inode;
  int r = get_dir(dir, &dir_inode);
  if (r < 0) return r;
  DirSlot slot;
  r = find_entry(&dir_inode, name, length, &slot);
  if (r < 0) return r;
  *ino = slot.ino;
  *type = filetype_ && slot.type <= static_cast<uint8_t>(FileType::kSymlink)
              ? static_cast<FileType>(slot.type)
              : FileType::kUnknown;
  return 0;
}

int Ext2::stat(uint32_t ino, Stat* out) {
  Inode inode;
  int r = get_inode(ino, &inode);
  if (r < 0) return r;
  bool linux_os = load32(superblock_ + kSbCreatorOs) == 0;
  out->ino = ino;
  out->mode = inode.mode;
  OpenInode* open = find_open(ino);
  out->nlink = open != nullptr && open->unlinked ? 0 : inode.links;
  out->uid = inode.uid | (linux_os ? static_cast<uint32_t>(inode.uid_high) << 16 : 0);
  out->gid = inode.gid | (linux_os ? static_cast<uint32_t>(inode.gid_high) << 16 : 0);
  out->size = inode_size(inode);
  out->atime = inode.atime;
  out->mtime = inode.mtime;
  out->ctime = inode.ctime;
  out->blocks = inode.blocks;
  out->block_size = block_size_;
  return 0;
}

int Ext2::read(uint32_t ino, uint64_t offset, void* buffer, size_t size) {
  Inode inode;
  int r = get_inode(ino, &inode);
  if (r < 0) return r;
  if (is_dir(inode)) return -EISDIR;
  if (!is_regular(inode)) return -EINVAL;
  return read_data(&inode, offset, buffer, size);
}

int Ext2::write(uint32_t ino, uint64_t offset, const void* buffer, size_t size) {
  if (read_only_) return -EROFS;
  Inode inode;
  int r = get_inode(ino, &inode);
  if (r < 0) return r;
  if (is_dir(inode)) return -EISDIR;
  if (!is_regular(inode)) return -EINVAL;
  if (inode.flags & kFlagImmutable) return -EPERM;
  return write_data(ino, &inode, offset, buffer, size);
}

int Ext2::truncate(uint32_t ino, uint64_t size) {
  if (read_only_) return -EROFS;
  Inode inode;
  int r = get_inode(ino, &inode);
  if (r < 0) return r;
  if (is_dir(inode)) return -EISDIR;
  if (!is_regular(inode)) return -EINVAL;
  if (inode.flags & kFlagImmutable) return -EPERM;
  if (size > max_file_size()) return -EFBIG;
  uint64_t old_size = inode_size(inode);
  int result = 0;
  if (size < old_size) {
    // Zero the rest of the new last block, so that growing the file again
    // reads zeros there.
    uint32_t within = static_cast<uint32_t>(size & (block_size_ - 1));
    if (within != 0) {
      uint32_t block;
      r = map_block(&inode, size >> log_block_size_, false, &block, nullptr);
      if (r < 0) return r;
      if (block != 0) {
        Buffer zeros(block_size_);
        if (!zeros.ok()) return -ENOMEM;
        memset(zeros.data(), 0, block_size_);
        r = device_->write((static_cast<uint64_t>(block) << log_block_size_) + within, zeros.data(),
                           block_size_ - within);
        if (r < 0) return r;
      }
    }
    result = truncate_blocks(&inode, size);
  }
  set_inode_size(&inode, size);
  inode.mtime = inode.ctime = now_;
  r = write_inode(ino, &inode);
  return r < 0 ? r : result;
}

int Ext2::prepare_new(uint32_t dir, const char* name, size_t length, Inode* dir_inode) {
  if (read_only_) return -EROFS;
  int r = check_new_name(name, length);
  if (r < 0) return r;
  r = get_dir(dir, dir_inode);
  if (r < 0) return r;
  DirSlot slot;
  r = find_entry(dir_inode, name, length, &slot);
  if (r == 0) return -EEXIST;
  if (r != -ENOENT) return r;
  return 0;
}

void Ext2::init_inode(Inode* inode, uint16_t mode) {
  memset(inode, 0, sizeof(*inode));
  inode->mode = mode;
  inode->links = 1;
  inode->atime = inode->ctime = inode->mtime = now_;
  inode->generation = ++generation_;
}

int Ext2::create(uint32_t dir, const char* name, size_t length, uint16_t mode, uint32_t* ino) {
  Inode dir_inode;
  int r = prepare_new(dir, name, length, &dir_inode);
  if (r < 0) return r;
  uint32_t new_ino;
  r = alloc_inode(dir, false, &new_ino);
  if (r < 0) return r;
  Inode inode;
  init_inode(&inode, static_cast<uint16_t>(kModeRegular | (mode & kModePermissionMask)));
  r = write_new_inode(new_ino, &inode);
  if (r >= 0) r = add_entry(dir, &dir_inode, name, length, new_ino, inode.mode);
  if (r < 0) {
    release_inode(new_ino, &inode);
    return r;
  }
  *ino = new_ino;
  return 0;
}

int Ext2::mkdir(uint32_t dir, const char* name, size_t length, uint16_t mode, uint32_t* ino) {
  Inode dir_inode;
  int r = prepare_new(dir, name, length, &dir_inode);
  if (r < 0) return r;
  if (dir_inode.links >= kLinkMax) return -EMLINK;
  uint32_t new_ino;
  r = alloc_inode(dir, true, &new_ino);
  if (r < 0) return r;
  Inode inode;
  init_inode(&inode, static_cast<uint16_t>(kModeDirectory | (mode & kModePermissionMask)));
  inode.links = 2;
  // The first block: "." and "..".
  Buffer buffer(block_size_);
  uint32_t block = 0;
  if (!buffer.ok()) {
    r = -ENOMEM;
  } else {
    goal_ = dir_inode.block[0];
    r = map_block(&inode, 0, true, &block, nullptr);
  }
  if (r >= 0) {
    uint8_t* data = buffer.data();
    memset(data, 0, block_size_);
    uint8_t type = filetype_ ? static_cast<uint8_t>(FileType::kDirectory) : 0;
    store32(data, new_ino);
    store16(data + 4, 12);
    data[6] = 1;
    data[7] = type;
    data[8] = '.';
    store32(data + 12, dir);
    store16(data + 16, encode_rec_len(block_size_ - 12));
    data[18] = 2;
    data[19] = type;
    data[20] = '.';
    data[21] = '.';
    r = write_block(block, data);
    set_inode_size(&inode, block_size_);
  }
  if (r >= 0) r = write_new_inode(new_ino, &inode);
  if (r >= 0) r = add_entry(dir, &dir_inode, name, length, new_ino, inode.mode);
  if (r < 0) {
    release_inode(new_ino, &inode);
    return r;
  }
  // The new directory's ".." links the parent.
  dir_inode.links++;
  r = write_inode(dir, &dir_inode);
  if (r < 0) return r;
  *ino = new_ino;
  return 0;
}

int Ext2::symlink(uint32_t dir, const char* name, size_t length, const char* target,
                  size_t target_length, uint32_t* ino) {
  if (target_length == 0) return -ENOENT;
  if (target_length >= block_size_) return -ENAMETOOLONG;
  Inode dir_inode;
  int r = prepare_new(dir, name, length, &dir_inode);
  if (r < 0) return r;
  uint32_t new_ino;
  r = alloc_inode(dir, false, &new_ino);
  if (r < 0) return r;
  Inode inode;
  init_inode(&inode, static_cast<uint16_t>(kModeSymlink | 0777));
  if (target_length <= kFastSymlinkMax) {
    memcpy(inode.block, target, target_length);
    set_inode_size(&inode, target_length);
    r = write_new_inode(new_ino, &inode);
  } else {
    r = write_new_inode(new_ino, &inode);
    if (r >= 0) {
      int written = write_data(new_ino, &inode, 0, target, target_length);
      if (written >= 0 && static_cast<size_t>(written) != target_length) written = -ENOSPC;
      r = written;
    }
  }
  if (r >= 0) r = add_entry(dir, &dir_inode, name, length, new_ino, inode.mode);
  if (r < 0) {
    release_inode(new_ino, &inode);
    return r;
  }
  *ino = new_ino;
  return 0;
}

int Ext2::readlink(uint32_t ino, char* buffer, size_t size) {
  Inode inode;
  int r = get_inode(ino, &inode);
  if (r < 0) return r;
  if (!is_symlink(inode)) return -EINVAL;
  uint64_t length = inode_size(inode);
  if (length == 0 || length >= block_size_) return kCorrupt;
  if (size > length) size = static_cast<size_t>(length);
  if (!has_block_map(inode)) {
    if (length > kFastSymlinkMax) return kCorrupt;
    memcpy(buffer, inode.block, size);
    return static_cast<int>(size);
  }
  return read_data(&inode, 0, buffer, size);
}

int Ext2::unlink(uint32_t dir, const char* name, size_t length) {
  if (read_only_) return -EROFS;
  if (length > kMaxNameLength) return -ENAMETOOLONG;
  if (length == 0) return -ENOENT;
  if (is_dot(name, length) || is_dot_dot(name, length)) return -EISDIR;
  Inode dir_inode;
  int r = get_dir(dir, &dir_inode);
  if (r < 0) return r;
  DirSlot slot;
  r = find_entry(&dir_inode, name, length, &slot);
  if (r < 0) return r;
  Inode inode;
  r = get_inode(slot.ino, &inode);
  if (r < 0) return r == -ENOENT ? kCorrupt : r;
  if (is_dir(inode)) return -EISDIR;
  if (inode.links == 1 && find_open(slot.ino) != nullptr) {
    // Its last link goes while it is open: the directory it will wait in
    // first, which may change the root (and `dir` with it), so look again.
    uint32_t unlinked;
    r = ensure_unlinked_dir(&unlinked);
    if (r < 0) return r;
    r = get_dir(dir, &dir_inode);
    if (r == 0) r = find_entry(&dir_inode, name, length, &slot);
    if (r < 0) return r;
  }
  r = remove_entry(dir, &dir_inode, slot);
  if (r < 0) return r;
  return drop_link(slot.ino, &inode);
}

int Ext2::link(uint32_t ino, uint32_t dir, const char* name, size_t length) {
  Inode dir_inode;
  int r = prepare_new(dir, name, length, &dir_inode);
  if (r < 0) return r;
  Inode inode;
  r = get_inode(ino, &inode);
  if (r < 0) return r;
  if (is_dir(inode)) return -EPERM;
  if (inode.links >= kLinkMax) return -EMLINK;
  r = add_entry(dir, &dir_inode, name, length, ino, inode.mode);
  if (r < 0) return r;
  inode.links++;
  inode.ctime = now_;
  return write_inode(ino, &inode);
}

int Ext2::drop_link(uint32_t ino, Inode* inode) {
  if (inode->links == 1 && !is_dir(*inode) && find_open(ino) != nullptr) {
    return park_unlinked(ino, inode);
  }
  if (inode->links > 0) inode->links--;
  inode->ctime = now_;
  if (inode->links == 0) return release_inode(ino, inode);
  return write_inode(ino, inode);
}

int Ext2::rmdir(uint32_t dir, const char* name, size_t length) {
  if (read_only_) return -EROFS;
  if (length > kMaxNameLength) return -ENAMETOOLONG;
  if (length == 0) return -ENOENT;
  if (is_dot(name, length)) return -EINVAL;
  if (is_dot_dot(name, length)) return -ENOTEMPTY;
  Inode dir_inode;
  int r = get_dir(dir, &dir_inode);
  if (r < 0) return r;
  DirSlot slot;
  r = find_entry(&dir_inode, name, length, &slot);
  if (r < 0) return r;
  Inode inode;
  r = get_inode(slot.ino, &inode);
  if (r < 0) return r == -ENOENT ? kCorrupt : r;
  if (!is_dir(inode)) return -ENOTDIR;
  r = dir_is_empty(&inode);
  if (r < 0) return r;
  if (r == 0) return -ENOTEMPTY;
  r = remove_entry(dir, &dir_inode, slot);
  if (r < 0) return r;
  // Its ".." no longer links the parent.
  if (dir_inode.links > 1) dir_inode.links--;
  r = write_inode(dir, &dir_inode);
  if (r < 0) return r;
  return release_inode(slot.ino, &inode);
}

int Ext2::rename(uint32_t old_dir, const char* old_name, size_t old_length, uint32_t new_dir,
                 const char* new_name, size_t new_length) {
  if (read_only_) return -EROFS;
  if (old_length > kMaxNameLength) return -ENAMETOOLONG;
  if (old_length == 0) return -ENOENT;
  int r = check_new_name(new_name, new_length);
  if (r < 0) return r;
  if (is_dot(old_name, old_length) || is_dot_dot(old_name, old_length) ||
      is_dot(new_name, new_length) || is_dot_dot(new_name, new_length)) {
    return -EINVAL;
  }
  r = prepare_replace(new_dir, new_name, new_length);
  if (r < 0) return r;
  Inode old_dir_inode;
  r = get_dir(old_dir, &old_dir_inode);
  if (r < 0) return r;
  Inode new_dir_inode;
  r = get_dir(new_dir, &new_dir_inode);
  if (r < 0) return r;
  DirSlot source;
  r = find_entry(&old_dir_inode, old_name, old_length, &source);
  if (r < 0) return r;
  Inode inode;
  r = get_inode(source.ino, &inode);
  if (r < 0) return r == -ENOENT ? kCorrupt : r;
  bool directory = is_dir(inode);
  if (directory) {
    // Not into itself or below.
    r = is_ancestor(source.ino, new_dir);
    if (r < 0) return r;
    if (r == 1) return -EINVAL;
  }
  DirSlot target;
  r = find_entry(&new_dir_inode, new_name, new_length, &target);
  if (r < 0 && r != -ENOENT) return r;
  bool replace = r == 0;
  if (replace) {
    if (target.ino == source.ino) return 0;  // the same file: nothing to do
    Inode target_inode;
    r = get_inode(target.ino, &target_inode);
    if (r < 0) return r == -ENOENT ? kCorrupt : r;
    if (directory) {
      if (!is_dir(target_inode)) return -ENOTDIR;
      r = dir_is_empty(&target_inode);
      if (r < 0) return r;
      if (r == 0) return -ENOTEMPTY;
    } else if (is_dir(target_inode)) {
      return -EISDIR;
    }
    r = set_entry_inode(new_dir, &new_dir_inode, target, source.ino, inode.mode);
    if (r < 0) return r;
    if (is_dir(target_inode)) {
      // The replaced directory's ".." no longer links new_dir.
      r = release_inode(target.ino, &target_inode);
      if (r < 0) return r;
      r = adjust_links(new_dir, -1);
    } else {
      r = drop_link(target.ino, &target_inode);
    }
    if (r < 0) return r;
  } else {
    if (directory && old_dir != new_dir && new_dir_inode.links >= kLinkMax) return -EMLINK;
    r = add_entry(new_dir, &new_dir_inode, new_name, new_length, source.ino, inode.mode);
    if (r < 0) return r;
  }
  // The old entry, found again: adding to the same directory may have split
  // the entry before it.
  r = get_dir(old_dir, &old_dir_inode);
  if (r < 0) return r;
  r = find_entry(&old_dir_inode, old_name, old_length, &source);
  if (r < 0) return r;
  r = remove_entry(old_dir, &old_dir_inode, source);
  if (r < 0) return r;
  if (directory && old_dir != new_dir) {
    DirSlot dot_dot;
    r = find_entry(&inode, "..", 2, &dot_dot);
    if (r < 0) return r == -ENOENT ? kCorrupt : r;
    r = set_entry_inode(source.ino, &inode, dot_dot, new_dir, kModeDirectory);
    if (r < 0) return r;
    r = adjust_links(old_dir, -1);
    if (r < 0) return r;
    r = adjust_links(new_dir, +1);
    if (r < 0) return r;
  }
  r = get_inode(source.ino, &inode);
  if (r < 0) return r;
  inode.ctime = now_;
  return write_inode(source.ino, &inode);
}

// ---- Open files, and files unlinked while open ----

namespace {

// `value` in decimal into `out` (11 bytes); returns the length.
size_t decimal(uint32_t value, char* out) {
  char digits[10];
  size_t n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  for (size_t i = 0; i < n; i++) out[i] = digits[n - 1 - i];
  out[n] = 0;
  return n;
}

constexpr size_t kUnlinkedDirLength = sizeof(kUnlinkedDir) - 1;

}  // namespace

Ext2::OpenInode* Ext2::find_open(uint32_t ino) {
  for (OpenInode& o : open_) {
    if (o.count != 0 && o.ino == ino) return &o;
  }
  return nullptr;
}

int Ext2::open(uint32_t ino) {
  if (OpenInode* o = find_open(ino)) {
    o->count++;
    return 0;
  }
  // The inode is not read: the caller has just looked it up, and an open
  // costs no disk access.
  if (!valid_ino(ino)) return -EINVAL;
  for (OpenInode& o : open_) {
    if (o.count != 0) continue;
    o = OpenInode{ino, 1, false};
    return 0;
  }
  return -ENFILE;
}

int Ext2::close(uint32_t ino) {
  OpenInode* o = find_open(ino);
  if (o == nullptr) return -EINVAL;
  if (--o->count != 0 || !o->unlinked) return 0;
  *o = OpenInode{};
  return free_parked(ino);
}

uint32_t Ext2::unlinked_open() const {
  uint32_t n = 0;
  for (const OpenInode& o : open_) n += o.count != 0 && o.unlinked;
  return n;
}

int Ext2::release_unlinked() {
  int result = 0;
  for (OpenInode& o : open_) {
    if (o.count == 0 || !o.unlinked) continue;
    uint32_t ino = o.ino;
    o = OpenInode{};
    int r = free_parked(ino);
    if (r < 0 && result == 0) result = r;
  }
  return result;
}

// A directory because it is never opened by name: the VFS does not know the
// inode is special, and nothing else refers to it.
int Ext2::ensure_unlinked_dir(uint32_t* dir) {
  int r = lookup(kRootIno, kUnlinkedDir, kUnlinkedDirLength, dir);
  if (r == -ENOENT) return mkdir(kRootIno, kUnlinkedDir, kUnlinkedDirLength, 0700, dir);
  if (r < 0) return r;
  Inode inode;
  r = get_dir(*dir, &inode);
  return r == -ENOTDIR ? -EEXIST : r;
}

// The caller is removing the last entry of open file `ino`: the file keeps
// one, in kUnlinkedDir (which ensure_unlinked_dir made before the caller
// read the directories it changes).
int Ext2::park_unlinked(uint32_t ino, Inode* inode) {
  uint32_t dir;
  int r = ensure_unlinked_dir(&dir);
  if (r < 0) return r;
  Inode dir_inode;
  r = get_dir(dir, &dir_inode);
  if (r < 0) return r;
  char name[11];
  size_t length = decimal(ino, name);
  r = add_entry(dir, &dir_inode, name, length, ino, inode->mode);
  if (r < 0) return r;
  inode->ctime = now_;
  r = write_inode(ino, inode);
  if (r < 0) return r;
  find_open(ino)->unlinked = true;
  return 0;
}

// Frees parked file `ino` (no longer in open_), and the directory with the
// last one.
int Ext2::free_parked(uint32_t ino) {
  uint32_t dir;
  int r = lookup(kRootIno, kUnlinkedDir, kUnlinkedDirLength, &dir);
  if (r < 0) return r;
  char name[11];
  size_t length = decimal(ino, name);
  r = unlink(dir, name, length);
  if (r < 0) return r;
  if (unlinked_open() != 0) return 0;
  r = rmdir(kRootIno, kUnlinkedDir, kUnlinkedDirLength);
  return r == -ENOTEMPTY ? 0 : r;
}

// At mount: what a crash left parked is freed.
int Ext2::clean_unlinked_dir() {
  uint32_t dir;
  int r = lookup(kRootIno, kUnlinkedDir, kUnlinkedDirLength, &dir);
  if (r == -ENOENT) return 0;
  if (r < 0) return r;
  Inode inode;
  r = get_dir(dir, &inode);
  if (r == -ENOTDIR) return 0;  // someone's file of that name: not ours
  if (r < 0) return r;
  uint64_t cookie = 0;
  DirEntry entry;
  while ((r = readdir(dir, &cookie, &entry)) == 1) {
    if (is_dot(entry.name, entry.name_length) || is_dot_dot(entry.name, entry.name_length)) {
      continue;
    }
    r = unlink(dir, entry.name, entry.name_length);
    if (r < 0) return r;
  }
  if (r < 0) return r;
  return rmdir(kRootIno, kUnlinkedDir, kUnlinkedDirLength);
}

// Before rename replaces `name` in `dir`: if that is the last link of an
// open file, the directory it will wait in must exist first.
int Ext2::prepare_replace(uint32_t dir, const char* name, size_t length) {
  uint32_t target;
  if (lookup(dir, name, length, &target) != 0 || find_open(target) == nullptr) return 0;
  Inode inode;
  int r = get_inode(target, &inode);
  if (r < 0 || inode.links != 1 || is_dir(inode)) return 0;
  uint32_t unlinked;
  return ensure_unlinked_dir(&unlinked);
}

int Ext2::readdir(uint32_t dir, uint64_t* cookie, DirEntry* out) {
  Inode dir_inode;
  int r = get_dir(dir, &dir_inode);
  if (r < 0) return r;
  uint64_t size = inode_size(dir_inode);
  if ((size & (block_size_ - 1)) != 0) return kCorrupt;
  Buffer buffer(block_size_);
  if (!buffer.ok()) return -ENOMEM;
  while (*cookie < size) {
    uint64_t index = *cookie >> log_block_size_;
    uint32_t wanted = static_cast<uint32_t>(*cookie & (block_size_ - 1));
    uint32_t block;
    r = map_block(&dir_inode, index, false, &block, nullptr);
    if (r < 0) return r;
    if (block == 0) return kCorrupt;
    r = read_block(block, buffer.data());
    if (r < 0) return r;
    // Walk the block from its start: the cookie may not fall on an entry
    // any more; the first entry at or after it is next.
    uint32_t offset = 0;
    while (offset < block_size_) {
      if (block_size_ - offset < kDirHeader) return kCorrupt;
      const uint8_t* p = buffer.data() + offset;
      uint32_t ino = load32(p);
      uint32_t rec_len = decode_rec_len(load16(p + 4));
      uint32_t name_length = p[6];
      if (rec_len < 12 || (rec_len & 3) != 0 || rec_len > block_size_ - offset ||
          entry_size(name_length) > rec_len) {
        return kCorrupt;
      }
      if (ino != 0 && (ino > inodes_count_ || name_length == 0)) return kCorrupt;
      uint32_t next = offset + rec_len;
      if (offset >= wanted && ino != 0) {
        out->ino = ino;
        out->type = filetype_ ? static_cast<FileType>(p[7] <= 7 ? p[7] : 0) : FileType::kUnknown;
        out->name_length = static_cast<uint8_t>(name_length);
        memcpy(out->name, p + kDirHeader, name_length);
        out->name[name_length] = '\0';
        *cookie = (index << log_block_size_) + next;
        return 1;
      }
      offset = next;
    }
    *cookie = (index + 1) << log_block_size_;
  }
  return 0;
}

int Ext2::resolve(const char* path, size_t length, uint32_t* ino, bool follow_last,
                  uint32_t start) {
  int follows_left = kMaxSymlinkFollows;
  return resolve_from(start, path, length, follow_last, &follows_left, ino);
}

int Ext2::resolve_from(uint32_t start, const char* path, size_t length, bool follow_last,
                       int* follows_left, uint32_t* ino) {
  if (length == 0) return -ENOENT;
  uint32_t current = path[0] == '/' ? kRootIno : start;
  Inode inode;
  int r = get_inode(current, &inode);
  if (r < 0) return r;
  size_t i = 0;
  bool trailing_slash = path[length - 1] == '/';
  while (true) {
    while (i < length && path[i] == '/') i++;
    if (i == length) break;
    size_t begin = i;
    while (i < length && path[i] != '/') i++;
    const char* name = path + begin;
    size_t name_length = i - begin;
    if (name_length > kMaxNameLength) return -ENAMETOOLONG;
    if (!is_dir(inode)) return -ENOTDIR;
    if (is_dot(name, name_length)) continue;
    uint32_t child;
    r = lookup(current, name, name_length, &child);
    if (r < 0) return r;
    Inode child_inode;
    r = get_inode(child, &child_inode);
    if (r < 0) return r == -ENOENT ? kCorrupt : r;
    bool last = true;
    for (size_t j = i; j < length; j++) {
      if (path[j] != '/') {
        last = false;
        break;
      }
    }
    if (is_symlink(child_inode) && (!last || follow_last || trailing_slash)) {
      if (--*follows_left < 0) return -ELOOP;
      Buffer target(block_size_);
      if (!target.ok()) return -ENOMEM;
      int target_length = readlink(child, reinterpret_cast<char*>(target.data()), block_size_);
      if (target_length < 0) return target_length;
      r = resolve_from(current, reinterpret_cast<char*>(target.data()),
                       static_cast<size_t>(target_length), true, follows_left, &child);
      if (r < 0) return r;
      r = get_inode(child, &child_inode);
      if (r < 0) return r;
    }
    current = child;
    inode = child_inode;
  }
  if (trailing_slash && !is_dir(inode)) return -ENOTDIR;
  *ino = current;
  return 0;
}

}  // namespace ext2
