// The hardware-free part of mica's block drivers (drivers/ata, drivers/sdhci):
// checking a MICA_BLOCK_* request against the disk, and reading the on-disk
// structures their self-tests look at (the MBR partition table, an ext2
// superblock). Only <stddef.h> and <stdint.h>: built for user space and for
// the host, where it is unit-tested.
//
// TODO: with block_service, this belongs in a drivers/block library of its
// own (shared by every block driver); it waits for that directory.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace block {

inline constexpr uint32_t kSectorSize = 512;
// As MICA_BLOCK_MAX_TRANSFER (<mica/protocol.h>; the drivers check they agree).
inline constexpr uint32_t kMaxTransfer = 65536;
inline constexpr uint32_t kMaxTransferSectors = kMaxTransfer / kSectorSize;

// Whether sectors [first, first + count) may be transferred from a disk of
// `sector_count` sectors: within the disk, without overflow, at most
// kMaxTransfer bytes. A count of 0 is valid at any first sector up to the
// end (nothing is transferred).
bool transfer_ok(uint64_t first, uint64_t count, uint64_t sector_count);

// The first sector a request names: words[0] is the low part (or, on 64-bit
// arches, the whole number), words[1] the high 32 bits.
inline uint64_t first_sector(uintptr_t low, uintptr_t high) {
  return static_cast<uint64_t>(low) | (static_cast<uint64_t>(high) << 32);
}

// Little-endian fields of on-disk structures.
inline uint16_t load_le16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] | (p[1] << 8));
}
inline uint32_t load_le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

// ---- MBR ----
struct MbrPartition {
  uint8_t status;  // 0x80: bootable
  uint8_t type;    // 0: unused
  uint32_t first_sector;
  uint32_t sector_count;
};

// Reads the four primary entries of the MBR in `sector` (512 bytes); false
// if it lacks the 0x55AA signature.
bool parse_mbr(const uint8_t* sector, MbrPartition partitions[4]);

// The lowest first sector of the used entries (0 if none): sectors 1 up to
// it are the gap between the MBR and the partitions.
uint32_t first_partition_start(const MbrPartition partitions[4]);

// ---- ext2 ----
inline constexpr uint32_t kExt2SuperblockOffset = 1024;  // bytes into the file system
inline constexpr uint16_t kExt2Magic = 0xef53;

struct Ext2Superblock {
  uint16_t magic;
  uint32_t block_count;
  uint32_t block_size;  // bytes; 0 if the log is out of range
};

// The fields of an ext2 superblock (at least 1024 bytes at `data`).
Ext2Superblock parse_ext2_superblock(const uint8_t* data);

}  // namespace block
