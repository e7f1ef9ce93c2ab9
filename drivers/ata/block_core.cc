#include "block_core.h"

namespace block {

bool transfer_ok(uint64_t first, uint64_t count, uint64_t sector_count) {
  if (count > kMaxTransferSectors) return false;
  if (first > sector_count) return false;
  return count <= sector_count - first;
}

bool parse_mbr(const uint8_t* sector, MbrPartition partitions[4]) {
  if (sector[510] != 0x55 || sector[511] != 0xaa) return false;
  for (int i = 0; i < 4; ++i) {
    const uint8_t* entry = sector + 446 + 16 * i;
    partitions[i].status = entry[0];
    partitions[i].type = entry[4];
    partitions[i].first_sector = load_le32(entry + 8);
    partitions[i].sector_count = load_le32(entry + 12);
  }
  return true;
}

uint32_t first_partition_start(const MbrPartition partitions[4]) {
  uint32_t start = 0;
  for (int i = 0; i < 4; ++i) {
    const MbrPartition& p = partitions[i];
    if (p.type == 0 || p.sector_count == 0) continue;
    if (start == 0 || p.first_sector < start) start = p.first_sector;
  }
  return start;
}

Ext2Superblock parse_ext2_superblock(const uint8_t* data) {
  Ext2Superblock s;
  s.magic = load_le16(data + 56);
  s.block_count = load_le32(data + 4);
  uint32_t log = load_le32(data + 24);
  s.block_size = log <= 6 ? 1024u << log : 0;
  return s;
}

}  // namespace block
