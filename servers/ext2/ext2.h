// ext2: the file-system logic of mica's ext2 server, as a library with no
// arch code and no IPC, built for user space (only <stddef.h>, <stdint.h>,
// <string.h>, <stdlib.h> malloc/free and <errno.h>) and for the host, where
// it is unit-tested against images made by mke2fs and checked by e2fsck.
//
// The file system is reached through a BlockDevice (byte offsets). Every
// operation returns an int: >= 0 is success (a count where one is stated),
// < 0 is a negative errno value. Disk data is never trusted: a corrupt image
// gives -EIO (mica has no EUCLEAN) or -EINVAL, never a crash or an access out
// of bounds, and no allocation is sized by a disk value beyond what the
// device size bounds.
//
// What is supported: revision 0 and 1, block sizes 1 KiB to 64 KiB, the
// features filetype (incompat), sparse_super and large_file (ro_compat), any
// compat feature (dir_index directories are read linearly; the index flag is
// cleared when such a directory is changed; resize_inode's reserved blocks
// are left alone; extended-attribute blocks are kept and released by
// reference count, not read). Unknown incompat features refuse the mount
// with -ENOTSUP; unknown ro_compat features mount read-only (-EROFS on
// writes).
//
// Not supported: extents, 64bit, meta_bg, flex_bg, journaling (a journal is
// ignored; needs_recovery refuses the mount), htree lookups, atime updates,
// creating special files (existing ones can be looked up, stat'ed and
// removed), permissions and the root-reserved blocks (the caller decides),
// backup superblocks (left as
// mke2fs wrote them, as Linux does), a block cache (every access goes to the
// device), concurrency (the caller serializes all calls on one Ext2).
//
// Open files: the server says which inodes are open (open/close). When the
// last link of an open regular file goes (unlink, or rename over it), its
// entry moves to the hidden directory /.mica-unlinked (named by inode
// number) instead of being freed, so the data lives on until the last close
// frees it, and the disk stays consistent for e2fsck at every moment (an
// allocated inode with no links would not be). stat reports nlink 0 for
// such a file. A crash in between leaves only that directory behind: the
// next read-write mount empties and removes it.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace ext2 {

namespace internal {
struct Inode;
struct GroupDesc;
struct DirSlot;
}  // namespace internal

// Where the file system lives. Byte offsets; the driver behind it translates
// to sectors. read and write return 0 or a negative errno value (-EIO) and
// move all `size` bytes or fail.
class BlockDevice {
 public:
  virtual int read(uint64_t offset, void* buffer, size_t size) = 0;
  virtual int write(uint64_t offset, const void* buffer, size_t size) = 0;
  // The device size in bytes.
  virtual uint64_t size() const = 0;

 protected:
  ~BlockDevice() = default;
};

// Inode numbers and mode bits, as on disk.
inline constexpr uint32_t kRootIno = 2;
inline constexpr uint16_t kModeTypeMask = 0xf000;
inline constexpr uint16_t kModeFifo = 0x1000;
inline constexpr uint16_t kModeCharDevice = 0x2000;
inline constexpr uint16_t kModeDirectory = 0x4000;
inline constexpr uint16_t kModeBlockDevice = 0x6000;
inline constexpr uint16_t kModeRegular = 0x8000;
inline constexpr uint16_t kModeSymlink = 0xa000;
inline constexpr uint16_t kModeSocket = 0xc000;
inline constexpr uint16_t kModePermissionMask = 07777;

inline constexpr size_t kMaxNameLength = 255;
// Where open files without links wait for their last close (in the root).
inline constexpr char kUnlinkedDir[] = ".mica-unlinked";
// Inodes that may be open at once.
inline constexpr size_t kMaxOpenInodes = 256;
// Symbolic links followed by one resolve() before -ELOOP.
inline constexpr int kMaxSymlinkFollows = 40;

// Directory entry file types (the filetype feature).
enum class FileType : uint8_t {
  kUnknown = 0,
  kRegular = 1,
  kDirectory = 2,
  kCharDevice = 3,
  kBlockDevice = 4,
  kFifo = 5,
  kSocket = 6,
  kSymlink = 7,
};

struct Stat {
  uint32_t ino;
  uint16_t mode;  // type and permission bits
  uint16_t nlink;
  uint32_t uid;
  uint32_t gid;
  uint64_t size;
  uint32_t atime;  // seconds since 1970
  uint32_t mtime;
  uint32_t ctime;
  uint64_t blocks;  // 512-byte units allocated, metadata included
  uint32_t block_size;
};

struct DirEntry {
  uint32_t ino;
  FileType type;  // kUnknown on file systems without the filetype feature
  uint8_t name_length;
  char name[kMaxNameLength + 1];  // NUL-terminated
};

class Ext2 {
 public:
  // Validates the superblock and group descriptors of the file system on
  // `device` and on success stores a new Ext2 in *out (release it with
  // unmount). `device` must outlive it. Errors: -EINVAL (not ext2, or an
  // inconsistent superblock), -ENOTSUP (an incompat feature this library
  // does not know), -EIO, -ENOMEM. If `reason` is given it receives a static
  // string saying why the mount failed (or "" on success).
  static int mount(BlockDevice* device, Ext2** out, const char** reason = nullptr);
  // Syncs (unless read-only) and frees `fs`. Returns sync()'s result.
  static int unmount(Ext2* fs);

  // True if unknown ro_compat features (or an error state) forced read-only:
  // every change then gives -EROFS.
  bool read_only() const { return read_only_; }
  uint32_t block_size() const { return block_size_; }
  // The time stamped on changed inodes and the superblock, in seconds since
  // 1970. There is no clock here: the server sets it. Starts as the
  // superblock's last write time.
  void set_time(uint32_t now) { now_ = now; }

  // The inode `name` (`length` bytes, no NUL needed) names in directory
  // `dir`. -ENOENT, -ENOTDIR, -ENAMETOOLONG.
  int lookup(uint32_t dir, const char* name, size_t length, uint32_t* ino);
  // The same, with the type the entry records (no inode read): kUnknown
  // without the filetype feature.
  int lookup(uint32_t dir, const char* name, size_t length, uint32_t* ino, FileType* type);
  int stat(uint32_t ino, Stat* out);
  // Reads up to `size` bytes at `offset` (holes read as zeros). Returns the
  // bytes read, 0 at or past the end. -EISDIR on a directory. At most
  // INT32_MAX bytes per call.
  int read(uint32_t ino, uint64_t offset, void* buffer, size_t size);
  // Writes `size` bytes at `offset`, growing the file (the gap becomes a
  // hole). Returns the bytes written: fewer than `size` only if the disk
  // filled up after some were written; -ENOSPC if none were, -EFBIG past the
  // largest file. -EISDIR on a directory.
  int write(uint32_t ino, uint64_t offset, const void* buffer, size_t size);
  // Sets the size of regular file `ino`, freeing the blocks (indirect ones
  // too) past the new end, or leaving a hole when it grows.
  int truncate(uint32_t ino, uint64_t size);

  // New entries in directory `dir`; the new inode number goes to *ino.
  // `mode` gives the permission bits. -EEXIST, -ENOSPC, -ENAMETOOLONG,
  // -ENOENT (an empty name), -EINVAL (a name with '/' or NUL).
  int create(uint32_t dir, const char* name, size_t length, uint16_t mode, uint32_t* ino);
  int mkdir(uint32_t dir, const char* name, size_t length, uint16_t mode, uint32_t* ino);
  // A symbolic link to `target` (fast, in the inode, if it is under 60
  // bytes; else one block). -ENAMETOOLONG if `target` does not fit a block.
  int symlink(uint32_t dir, const char* name, size_t length, const char* target,
              size_t target_length, uint32_t* ino);
  // Copies the target of symlink `ino` into `buffer` (no NUL added; cut to
  // `size` bytes, as POSIX readlink) and returns the bytes copied. -EINVAL
  // if `ino` is not a symlink.
  int readlink(uint32_t ino, char* buffer, size_t size);

  // A hard link: a new entry `name` in `dir` for non-directory `ino`.
  // -EPERM on a directory, -EEXIST, -EMLINK.
  int link(uint32_t ino, uint32_t dir, const char* name, size_t length);
  // Removes a non-directory entry, freeing the inode when its last link
  // goes. -EISDIR on a directory.
  int unlink(uint32_t dir, const char* name, size_t length);
  // Removes an empty directory. -ENOTEMPTY, -ENOTDIR, -EINVAL on ".".
  int rmdir(uint32_t dir, const char* name, size_t length);
  // Moves an entry, replacing an existing target (a non-directory by a
  // non-directory, an empty directory by a directory). A moved directory's
  // ".." and both parents' link counts follow. -EINVAL when a directory
  // would move into itself; -EISDIR / -ENOTDIR / -ENOTEMPTY on a mismatched
  // or non-empty target.
  int rename(uint32_t old_dir, const char* old_name, size_t old_length, uint32_t new_dir,
             const char* new_name, size_t new_length);

  // Directory iteration. Start with *cookie = 0; each call stores the next
  // entry (".", ".." included) in *out, advances *cookie and returns 1, or
  // returns 0 at the end. A cookie stays usable across changes (entries
  // added or removed meanwhile may or may not be seen).
  int readdir(uint32_t dir, uint64_t* cookie, DirEntry* out);

  // Resolves `path` (`length` bytes): absolute from the root inode, or
  // relative to `start`. Handles "." and "..", repeated and trailing
  // slashes, and symlinks (a final one only if `follow_last`), -ELOOP after
  // kMaxSymlinkFollows. -ENOTDIR when a non-directory is used as one.
  int resolve(const char* path, size_t length, uint32_t* ino, bool follow_last = true,
              uint32_t start = kRootIno);

  // Open counts, of inodes the caller has just looked up (not read again).
  // open: -EINVAL (not an inode number), -ENFILE (kMaxOpenInodes distinct
  // inodes are open). close frees a file unlinked while open when
  // its last opener goes (-EINVAL if `ino` was not open).
  int open(uint32_t ino);
  int close(uint32_t ino);
  // Frees every file unlinked while open, open or not (at shut-down).
  int release_unlinked();
  // How many open files have lost their last link.
  uint32_t unlinked_open() const;

  // Writes the superblock and group descriptors (data, bitmaps and inodes
  // are written through as they change). The free counts are exact.
  int sync();

  // The free block and inode counts of the file system (what sync writes).
  uint64_t free_blocks() const { return free_blocks_; }
  uint32_t free_inodes() const { return free_inodes_; }

  Ext2(const Ext2&) = delete;
  Ext2& operator=(const Ext2&) = delete;

 private:
  using Inode = internal::Inode;
  using GroupDesc = internal::GroupDesc;
  using DirSlot = internal::DirSlot;

  Ext2() = default;
  ~Ext2();

  int init(BlockDevice* device, const char** reason);

  // Groups, blocks and inodes.
  GroupDesc group(uint32_t g) const;
  void set_group(uint32_t g, const GroupDesc& desc);
  uint32_t blocks_in_group(uint32_t g) const;
  bool valid_block(uint32_t block) const;
  int read_block(uint32_t block, void* buffer);
  int write_block(uint32_t block, const void* buffer);
  // The root or a non-reserved inode number.
  bool valid_ino(uint32_t ino) const;
  uint64_t inode_offset(uint32_t ino) const;
  int read_inode(uint32_t ino, Inode* inode);
  int write_inode(uint32_t ino, const Inode* inode);
  int write_new_inode(uint32_t ino, const Inode* inode);
  // An inode in use (links > 0) named by a caller: -EINVAL, -ENOENT.
  int get_inode(uint32_t ino, Inode* inode);
  int get_dir(uint32_t ino, Inode* inode);
  uint64_t inode_size(const Inode& inode) const;
  void set_inode_size(Inode* inode, uint64_t size);
  uint64_t max_file_size() const;
  // What i_blocks (512-byte units) counts for one block.
  uint32_t sectors_per_block() const { return block_size_ / 512; }
  uint32_t xattr_sectors(const Inode& inode) const;
  bool has_block_map(const Inode& inode) const;
  void init_inode(Inode* inode, uint16_t mode);
  int adjust_links(uint32_t ino, int delta);

  // Allocation: bitmaps and counts.
  int alloc_block(uint32_t goal, uint32_t* block);
  int free_block(uint32_t block);
  int alloc_inode(uint32_t parent, bool directory, uint32_t* ino);
  int free_inode(uint32_t ino, bool directory);
  int release_xattr_block(uint32_t block);

  // File data and its block map.
  int map_block(Inode* inode, uint64_t index, bool allocate, uint32_t* block, bool* fresh);
  int free_tree(uint32_t block, int level, uint64_t first, uint64_t keep, Inode* inode,
                bool* freed);
  int truncate_blocks(Inode* inode, uint64_t size);
  int read_data(Inode* inode, uint64_t offset, void* buffer, size_t size);
  int write_data(uint32_t ino, Inode* inode, uint64_t offset, const void* buffer, size_t size);
  int release_inode(uint32_t ino, Inode* inode);
  int drop_link(uint32_t ino, Inode* inode);

  // Directories.
  uint32_t decode_rec_len(uint16_t stored) const;
  uint16_t encode_rec_len(uint32_t length) const;
  template <typename Visit>
  int walk_dir(Inode* dir_inode, Visit visit);
  int find_entry(Inode* dir_inode, const char* name, size_t length, DirSlot* slot);
  void touch_dir(Inode* dir_inode);
  int add_entry(uint32_t dir, Inode* dir_inode, const char* name, size_t length, uint32_t ino,
                uint16_t mode);
  int remove_entry(uint32_t dir, Inode* dir_inode, const DirSlot& slot);
  int set_entry_inode(uint32_t dir, Inode* dir_inode, const DirSlot& slot, uint32_t ino,
                      uint16_t mode);
  int dir_is_empty(Inode* dir_inode);
  int is_ancestor(uint32_t ancestor, uint32_t dir);
  int prepare_new(uint32_t dir, const char* name, size_t length, Inode* dir_inode);
  int resolve_from(uint32_t start, const char* path, size_t length, bool follow_last,
                   int* follows_left, uint32_t* ino);

  // Open files and the unlinked-while-open directory.
  struct OpenInode {
    uint32_t ino;
    uint32_t count;
    bool unlinked;  // its entry is in kUnlinkedDir
  };
  OpenInode* find_open(uint32_t ino);
  int ensure_unlinked_dir(uint32_t* dir);
  int park_unlinked(uint32_t ino, Inode* inode);
  int free_parked(uint32_t ino);
  int clean_unlinked_dir();
  int prepare_replace(uint32_t dir, const char* name, size_t length);

  BlockDevice* device_ = nullptr;
  uint8_t* superblock_ = nullptr;  // the 1024 bytes at offset 1024
  uint8_t* groups_ = nullptr;      // the group descriptor table, descriptor_blocks_ blocks
  uint32_t group_count_ = 0;
  uint32_t descriptor_blocks_ = 0;
  uint32_t block_size_ = 0;
  uint32_t log_block_size_ = 0;  // log2(block_size_)
  uint32_t blocks_count_ = 0;
  uint32_t first_data_block_ = 0;
  uint32_t blocks_per_group_ = 0;
  uint32_t inodes_count_ = 0;
  uint32_t inodes_per_group_ = 0;
  uint32_t inode_size_ = 0;
  uint32_t first_ino_ = 0;
  uint32_t revision_ = 0;
  uint32_t pointers_per_block_ = 0;
  bool filetype_ = false;
  bool read_only_ = false;
  uint64_t free_blocks_ = 0;
  uint32_t free_inodes_ = 0;
  uint32_t now_ = 0;
  uint32_t generation_ = 0;
  uint32_t goal_ = 0;  // where the next block allocation looks first
  OpenInode open_[kMaxOpenInodes] = {};
};

}  // namespace ext2
