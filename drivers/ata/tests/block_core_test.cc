#include "block_core.h"

#include <string.h>

#include <gtest/gtest.h>

#include "ata_identify.h"

namespace {

using block::kMaxTransferSectors;
using block::transfer_ok;

TEST(BlockCore, TransferBounds) {
  EXPECT_TRUE(transfer_ok(0, 1, 100));
  EXPECT_TRUE(transfer_ok(99, 1, 100));
  EXPECT_TRUE(transfer_ok(100, 0, 100));  // nothing, at the end
  EXPECT_FALSE(transfer_ok(100, 1, 100));
  EXPECT_FALSE(transfer_ok(99, 2, 100));
  EXPECT_FALSE(transfer_ok(101, 0, 100));
  EXPECT_TRUE(transfer_ok(0, kMaxTransferSectors, 1000));
  EXPECT_FALSE(transfer_ok(0, kMaxTransferSectors + 1, 1000));
  // No overflow wraps a huge first sector back onto the disk.
  EXPECT_FALSE(transfer_ok(~uint64_t{0}, 2, 100));
  EXPECT_FALSE(transfer_ok(~uint64_t{0} - 1, 2, ~uint64_t{0}));
  EXPECT_TRUE(transfer_ok(~uint64_t{0} - 2, 2, ~uint64_t{0}));
}

TEST(BlockCore, FirstSector) {
  EXPECT_EQ(block::first_sector(5, 0), 5u);
  EXPECT_EQ(block::first_sector(0xffffffffu, 1), 0x1ffffffffull);
}

// The raw disk make_image.py writes: partition 1 at 1 MiB, bootable, 0x83.
void put_entry(uint8_t* mbr, int index, uint8_t status, uint8_t type, uint32_t first,
               uint32_t count) {
  uint8_t* e = mbr + 446 + 16 * index;
  e[0] = status;
  e[4] = type;
  memcpy(e + 8, &first, 4);  // the host is little-endian, as the format
  memcpy(e + 12, &count, 4);
}

TEST(BlockCore, Mbr) {
  uint8_t mbr[512] = {};
  block::MbrPartition p[4];
  EXPECT_FALSE(block::parse_mbr(mbr, p));
  mbr[510] = 0x55;
  mbr[511] = 0xaa;
  ASSERT_TRUE(block::parse_mbr(mbr, p));
  EXPECT_EQ(block::first_partition_start(p), 0u);
  put_entry(mbr, 0, 0x80, 0x83, 2048, 129024);
  ASSERT_TRUE(block::parse_mbr(mbr, p));
  EXPECT_EQ(p[0].status, 0x80);
  EXPECT_EQ(p[0].type, 0x83);
  EXPECT_EQ(p[0].first_sector, 2048u);
  EXPECT_EQ(p[0].sector_count, 129024u);
  EXPECT_EQ(p[1].type, 0);
  EXPECT_EQ(block::first_partition_start(p), 2048u);
  // The SD card: FAT at 4 MiB, ext2 after it; listed in any order.
  put_entry(mbr, 0, 0, 0x83, 139264, 122880);
  put_entry(mbr, 1, 0, 0x0c, 8192, 131072);
  ASSERT_TRUE(block::parse_mbr(mbr, p));
  EXPECT_EQ(block::first_partition_start(p), 8192u);
}

TEST(BlockCore, Ext2Superblock) {
  uint8_t s[1024] = {};
  s[56] = 0x53;
  s[57] = 0xef;
  uint32_t blocks = 64512;
  memcpy(s + 4, &blocks, 4);
  block::Ext2Superblock sb = block::parse_ext2_superblock(s);
  EXPECT_EQ(sb.magic, block::kExt2Magic);
  EXPECT_EQ(sb.block_count, 64512u);
  EXPECT_EQ(sb.block_size, 1024u);
  s[24] = 2;
  EXPECT_EQ(block::parse_ext2_superblock(s).block_size, 4096u);
  s[24] = 40;  // corrupt: no shift past the word
  EXPECT_EQ(block::parse_ext2_superblock(s).block_size, 0u);
}

void set_model(uint16_t* words, const char* model) {
  char padded[40];
  memset(padded, ' ', sizeof(padded));
  memcpy(padded, model, strlen(model));
  for (int i = 0; i < 20; ++i) {
    words[27 + i] = static_cast<uint16_t>((padded[2 * i] << 8) | padded[2 * i + 1]);
  }
}

TEST(AtaIdentify, Lba28) {
  uint16_t words[256] = {};
  words[49] = 1u << 9;
  words[60] = 0x0000;
  words[61] = 0x0002;   // 131072 sectors: 64 MiB
  words[83] = 0x4000;   // valid, no LBA48
  words[100] = 0xffff;  // ignored without LBA48
  set_model(words, "QEMU HARDDISK");
  ata::Identity id = ata::parse_identify(words);
  EXPECT_TRUE(id.lba);
  EXPECT_FALSE(id.lba48);
  EXPECT_EQ(id.sectors, 131072u);
  EXPECT_STREQ(id.model, "QEMU HARDDISK");
}

TEST(AtaIdentify, Lba48) {
  uint16_t words[256] = {};
  words[49] = 1u << 9;
  words[60] = 0xffff;
  words[61] = 0x0fff;  // LBA28 saturates at 2^28 - 1
  words[83] = 0x4000 | (1u << 10);
  words[100] = 0x0000;
  words[101] = 0x0000;
  words[102] = 0x0001;  // 2^32 sectors: 2 TiB
  ata::Identity id = ata::parse_identify(words);
  EXPECT_TRUE(id.lba48);
  EXPECT_EQ(id.sectors, uint64_t{1} << 32);
  EXPECT_STREQ(id.model, "");
}

TEST(AtaIdentify, NoLbaOrInvalidWord83) {
  uint16_t words[256] = {};
  words[60] = 100;
  EXPECT_EQ(ata::parse_identify(words).sectors, 0u);  // CHS only: not supported
  words[49] = 1u << 9;
  words[83] = 0xffff;  // bits 15:14 not 01: word 83 is not valid
  words[100] = 5;
  ata::Identity id = ata::parse_identify(words);
  EXPECT_FALSE(id.lba48);
  EXPECT_EQ(id.sectors, 100u);
}

}  // namespace
