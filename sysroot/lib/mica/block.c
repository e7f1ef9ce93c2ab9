// The block service's client (<mica/block.h>).
#include <mica/block.h>

#include <errno.h>
#include <string.h>

#include <mica/calls.h>
#include <mica/protocol.h>
#include <mica/spawn.h>

#define MAX_SECTORS (MICA_BLOCK_MAX_TRANSFER / MICA_BLOCK_SECTOR)

int mica_block_connect(struct mica_block* b) {
  if (b->endpoint != MICA_HANDLE_INVALID) {
    return 0;
  }
  for (uint32_t i = 0;; ++i) {
    mica_handle_t h;
    if (mica_service_lookup(MICA_SERVICE_BLOCK, &h) == 0) {
      b->endpoint = h;
      return 0;
    }
    if (i >= b->lookup_retries) {
      return -ENODEV;
    }
    mica_sleep(20000000);
  }
}

// The call, or -EIO (with the endpoint dropped) when the driver is gone.
static int block_call(struct mica_block* b, struct mica_message* m) {
  int r = mica_block_connect(b);
  if (r < 0) {
    return r;
  }
  if (mica_ipc_call_message(b->endpoint, m) != 0) {
    mica_handle_close(b->endpoint);
    b->endpoint = MICA_HANDLE_INVALID;
    return -EIO;
  }
  intptr_t result = (intptr_t)m->words[0];
  return result < 0 ? (int)result : 0;
}

int mica_block_sectors(struct mica_block* b, uint64_t* out) {
  struct mica_message m = {0};
  m.label = MICA_BLOCK_INFO;
  int r = block_call(b, &m);
  if (r < 0) {
    return r;
  }
  if (m.words[1] != MICA_BLOCK_SECTOR) {
    return -EIO;  // mica's drivers all have 512-byte sectors
  }
  uint64_t count = (uint64_t)m.words[2];
  if (sizeof(uintptr_t) < 8) {
    count |= (uint64_t)m.words[3] << 32;
  }
  *out = count;
  return 0;
}

int mica_block_transfer(struct mica_block* b, int write, uint64_t sector, uint32_t count,
                        void* buffer) {
  if (count == 0 || count > MAX_SECTORS) {
    return -EINVAL;
  }
  struct mica_message m = {0};
  m.label = write ? MICA_BLOCK_WRITE : MICA_BLOCK_READ;
  m.words[0] = (uintptr_t)sector;
  m.words[1] = sizeof(uintptr_t) < 8 ? (uintptr_t)(sector >> 32) : 0;
  m.words[2] = count;
  size_t bytes = (size_t)count * MICA_BLOCK_SECTOR;
  if (write) {
    m.data = buffer;
    m.data_size = bytes;
  } else {
    m.buffer = buffer;
    m.buffer_size = bytes;
  }
  int r = block_call(b, &m);
  if (r == 0 && !write && m.data_size != bytes) {
    return -EIO;
  }
  return r;
}

int mica_block_flush(struct mica_block* b) {
  struct mica_message m = {0};
  m.label = MICA_BLOCK_FLUSH;
  return block_call(b, &m);
}

static uint8_t g_bounce[MICA_BLOCK_MAX_TRANSFER];

// The part of [offset, offset + size) inside a range of `sectors` sectors.
static size_t clamp(uint64_t sectors, size_t size, uint64_t offset) {
  uint64_t end = sectors * MICA_BLOCK_SECTOR;
  if (offset >= end) {
    return 0;
  }
  return end - offset < size ? (size_t)(end - offset) : size;
}

// One request's worth of a byte range at `offset` with `left` bytes to go:
// whole sectors from `sector` (at most a transfer's), `skip` bytes into the
// first, `bytes` of them wanted.
struct chunk {
  uint64_t sector;
  uint32_t count;
  size_t skip;
  size_t bytes;
};

static struct chunk chunk_at(uint64_t offset, size_t left) {
  struct chunk c = {offset / MICA_BLOCK_SECTOR, 0, (size_t)(offset % MICA_BLOCK_SECTOR), left};
  uint64_t count = (c.skip + left + MICA_BLOCK_SECTOR - 1) / MICA_BLOCK_SECTOR;
  if (count > MAX_SECTORS) {
    count = MAX_SECTORS;
    c.bytes = MAX_SECTORS * MICA_BLOCK_SECTOR - c.skip;
  }
  c.count = (uint32_t)count;
  return c;
}

long mica_block_pread(struct mica_block* b, uint64_t first, uint64_t sectors, void* buffer,
                      size_t size, uint64_t offset) {
  size = clamp(sectors, size, offset);
  uint8_t* out = buffer;
  size_t done = 0;
  while (done < size) {
    struct chunk c = chunk_at(offset, size - done);
    size_t skip = c.skip, n = c.bytes;
    int r = mica_block_transfer(b, 0, first + c.sector, c.count, g_bounce);
    if (r < 0) {
      return done > 0 ? (long)done : r;
    }
    memcpy(out + done, g_bounce + skip, n);
    done += n;
    offset += n;
  }
  return (long)done;
}

long mica_block_pwrite(struct mica_block* b, uint64_t first, uint64_t sectors, const void* data,
                       size_t size, uint64_t offset) {
  size = clamp(sectors, size, offset);
  const uint8_t* in = data;
  size_t done = 0;
  while (done < size) {
    struct chunk c = chunk_at(offset, size - done);
    size_t skip = c.skip, n = c.bytes;
    int r = 0;
    // A partial first or last sector: what it keeps is read first. (Both
    // ends in one read: the sectors between are overwritten anyway.)
    if (skip != 0 || (skip + n) % MICA_BLOCK_SECTOR != 0) {
      r = mica_block_transfer(b, 0, first + c.sector, c.count, g_bounce);
    }
    if (r == 0) {
      memcpy(g_bounce + skip, in + done, n);
      r = mica_block_transfer(b, 1, first + c.sector, c.count, g_bounce);
    }
    if (r < 0) {
      return done > 0 ? (long)done : r;
    }
    done += n;
    offset += n;
  }
  return (long)done;
}

int mica_block_partitions(struct mica_block* b, uint64_t* sectors, struct mica_partition out[4]) {
  static uint8_t sector0[MICA_BLOCK_SECTOR];
  int r = mica_block_sectors(b, sectors);
  if (r == 0) {
    r = mica_block_transfer(b, 0, 0, 1, sector0);
  }
  return r < 0 ? r : mica_mbr_parse(sector0, *sectors, out);
}

static uint32_t le32(const uint8_t* p) {
  return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

int mica_mbr_parse(const uint8_t* sector0, uint64_t disk_sectors, struct mica_partition out[4]) {
  if (sector0[510] != 0x55 || sector0[511] != 0xaa) {
    return -EINVAL;
  }
  for (int i = 0; i < 4; ++i) {
    const uint8_t* e = sector0 + 446 + 16 * i;
    struct mica_partition p = {e[4], e[0] == 0x80, le32(e + 8), le32(e + 12)};
    if (disk_sectors != 0 && p.count != 0) {
      if (p.first >= disk_sectors) {
        p.count = 0;
      } else if (p.count > disk_sectors - p.first) {
        p.count = (uint32_t)(disk_sectors - p.first);
      }
    }
    if (p.type == 0 || p.count == 0) {
      p = (struct mica_partition){0, 0, 0, 0};
    }
    out[i] = p;
  }
  return 0;
}
