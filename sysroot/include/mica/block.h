// The client side of the block service (MICA_BLOCK_* of <mica/protocol.h>):
// whole-sector requests, byte ranges over a run of sectors (a partition, or
// the whole disk) with the partial first and last sectors read, changed
// and written back, and the disk's MBR partition table. The ext2 server
// and the VFS's block devices (/dev/disk0, /dev/disk0pN) use it.
//
// A request that fails because the driver is gone (the IPC call itself
// fails) closes the endpoint: the next request looks MICA_SERVICE_BLOCK up
// again, so a driver the router restarted is used as soon as it has
// registered. Not thread-safe: one thread per struct mica_block (the byte
// ranges share one bounce buffer per process, so one thread in all).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <mica/syscall.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MICA_BLOCK_SECTOR 512u

struct mica_block {
  mica_handle_t endpoint;  // MICA_HANDLE_INVALID: looked up at the next request
  // How many more times a lookup tries, 20 ms apart, when no driver is
  // registered (0: once; a driver being restarted may take seconds).
  uint32_t lookup_retries;
};

// The driver's endpoint into b->endpoint: 0, or -ENODEV when no driver
// registered within the retries.
int mica_block_connect(struct mica_block* b);

// The disk's size in sectors of MICA_BLOCK_SECTOR bytes. 0, -ENODEV, -EIO.
int mica_block_sectors(struct mica_block* b, uint64_t* out);

// Reads (write == 0) or writes `count` whole sectors from `sector` to or
// from `buffer` (count * MICA_BLOCK_SECTOR bytes, at most
// MICA_BLOCK_MAX_TRANSFER). 0, the driver's error (-EINVAL past the end,
// -EIO), or -EIO when the driver is gone.
int mica_block_transfer(struct mica_block* b, int write, uint64_t sector, uint32_t count,
                        void* buffer);

// Everything written is on the medium when it returns 0.
int mica_block_flush(struct mica_block* b);

// `size` bytes at byte `offset` of the sectors [first, first + sectors):
// the bytes read or written, fewer at the end of that range (0 at or past
// it), or a negated error when nothing was. Partial sectors at either end
// of a write are read first and written back whole.
long mica_block_pread(struct mica_block* b, uint64_t first, uint64_t sectors, void* buffer,
                      size_t size, uint64_t offset);
long mica_block_pwrite(struct mica_block* b, uint64_t first, uint64_t sectors, const void* data,
                       size_t size, uint64_t offset);

// One entry of an MBR partition table.
struct mica_partition {
  uint8_t type;  // 0: unused (0x83 Linux, 0x0c FAT32 LBA, ...)
  uint8_t active;
  uint32_t first;  // sectors
  uint32_t count;
};

// The four primary entries of the MBR in `sector0` (MICA_BLOCK_SECTOR
// bytes) into out[0..3]: 0, or -EINVAL when it has no MBR signature.
// Entries with no sectors are returned as unused (type 0); entries that
// reach past `disk_sectors` (when not 0) are cut to the disk.
int mica_mbr_parse(const uint8_t* sector0, uint64_t disk_sectors, struct mica_partition out[4]);

// The disk's size and its MBR table (sector 0, cut to the disk): 0;
// -ENODEV (no driver), the request's error (-EIO), or -EINVAL when the
// disk has no partition table (*sectors is set then).
int mica_block_partitions(struct mica_block* b, uint64_t* sectors, struct mica_partition out[4]);

#ifdef __cplusplus
}
#endif
