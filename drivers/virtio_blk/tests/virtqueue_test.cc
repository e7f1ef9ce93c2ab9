// The split virtqueue against a device model that takes chains from the
// available ring and returns them in the used ring, across the 16-bit wrap.
#include "virtqueue.h"

#include <stdlib.h>
#include <string.h>

#include <vector>

#include <gtest/gtest.h>

namespace {

TEST(Virtqueue, QueueSizes) {
  EXPECT_TRUE(virtio::queue_size_ok(1));
  EXPECT_TRUE(virtio::queue_size_ok(256));
  EXPECT_TRUE(virtio::queue_size_ok(32768));
  EXPECT_FALSE(virtio::queue_size_ok(0));
  EXPECT_FALSE(virtio::queue_size_ok(255));
  EXPECT_FALSE(virtio::queue_size_ok(65536));
}

TEST(Virtqueue, LegacyLayout) {
  // QEMU's virtio-blk: 256 entries. Descriptors 4096 bytes, the available
  // ring 6 + 512, the used ring at the next page: 6 + 2048.
  virtio::Layout l = virtio::legacy_layout(256);
  EXPECT_EQ(l.descriptors, 0u);
  EXPECT_EQ(l.available, 4096u);
  EXPECT_EQ(l.used, 8192u);
  EXPECT_EQ(l.bytes, 12288u);
  // 128 entries: everything before the used ring fits one page.
  l = virtio::legacy_layout(128);
  EXPECT_EQ(l.available, 2048u);
  EXPECT_EQ(l.used, 4096u);
  EXPECT_EQ(l.bytes, 8192u);
  // 1024 entries: 16384 + 6 + 2048 -> the used ring at 20480; it ends at
  // 20480 + 6 + 8192 = 28678, rounded up to 32768.
  l = virtio::legacy_layout(1024);
  EXPECT_EQ(l.used, 20480u);
  EXPECT_EQ(l.bytes, 32768u);
}

TEST(Virtqueue, RingArithmetic) {
  EXPECT_EQ(virtio::ring_slot(0, 256), 0);
  EXPECT_EQ(virtio::ring_slot(257, 256), 1);
  EXPECT_EQ(virtio::ring_slot(65535, 256), 255);
  EXPECT_EQ(virtio::ring_distance(65534, 2), 4);
  EXPECT_EQ(virtio::ring_distance(7, 7), 0);
}

class Queue : public ::testing::Test {
 protected:
  void SetUp() override {
    memory_ = static_cast<uint8_t*>(aligned_alloc(4096, virtio::legacy_layout(kSize).bytes));
    memset(memory_, 0, virtio::legacy_layout(kSize).bytes);
    ASSERT_TRUE(queue_.init(memory_, kSize));
  }
  void TearDown() override { free(memory_); }

  // The device: takes each newly available chain, checks and returns it,
  // reporting `written` bytes.
  std::vector<std::vector<virtio::Descriptor>> device_take() {
    std::vector<std::vector<virtio::Descriptor>> chains;
    uint16_t avail = *queue_.available_index();
    while (device_seen_ != avail) {
      uint16_t head = queue_.available_ring()[virtio::ring_slot(device_seen_, kSize)];
      std::vector<virtio::Descriptor> chain;
      uint16_t at = head;
      for (;;) {
        EXPECT_LT(at, kSize);
        chain.push_back(queue_.descriptors()[at]);
        if ((queue_.descriptors()[at].flags & virtio::kDescNext) == 0) break;
        at = queue_.descriptors()[at].next;
        if (chain.size() > kSize) break;
      }
      chains.push_back(chain);
      device_seen_ = static_cast<uint16_t>(device_seen_ + 1);
      heads_.push_back(head);
    }
    return chains;
  }
  void device_return(uint32_t written) {
    for (uint16_t head : heads_) {
      uint16_t used = *queue_.used_index();
      queue_.used_ring()[virtio::ring_slot(used, kSize)].id = head;
      queue_.used_ring()[virtio::ring_slot(used, kSize)].length = written;
      *queue_.used_index() = static_cast<uint16_t>(used + 1);
    }
    heads_.clear();
  }

  static constexpr uint16_t kSize = 8;
  uint8_t* memory_ = nullptr;
  virtio::SplitQueue queue_;
  uint16_t device_seen_ = 0;
  std::vector<uint16_t> heads_;
};

TEST_F(Queue, PostedChainIsWhatTheDeviceSees) {
  virtio::Buffer chain[3] = {{0x1000, 16, false}, {0x2000, 65536, true}, {0x1010, 1, true}};
  int head = queue_.post(chain, 3);
  ASSERT_GE(head, 0);
  // Not visible before publish().
  EXPECT_TRUE(device_take().empty());
  queue_.publish();
  auto chains = device_take();
  ASSERT_EQ(chains.size(), 1u);
  ASSERT_EQ(chains[0].size(), 3u);
  EXPECT_EQ(chains[0][0].address, 0x1000u);
  EXPECT_EQ(chains[0][0].length, 16u);
  EXPECT_EQ(chains[0][0].flags, virtio::kDescNext);
  EXPECT_EQ(chains[0][1].address, 0x2000u);
  EXPECT_EQ(chains[0][1].flags, virtio::kDescNext | virtio::kDescWrite);
  EXPECT_EQ(chains[0][2].flags, virtio::kDescWrite);
  EXPECT_EQ(queue_.free_descriptors(), kSize - 3);
  EXPECT_EQ(queue_.in_flight(), 1);
  uint32_t used_head, length;
  EXPECT_FALSE(queue_.take_used(&used_head, &length));
  device_return(65537);
  ASSERT_TRUE(queue_.take_used(&used_head, &length));
  EXPECT_EQ(used_head, static_cast<uint32_t>(head));
  EXPECT_EQ(length, 65537u);
  EXPECT_EQ(queue_.free_descriptors(), kSize);
  EXPECT_EQ(queue_.in_flight(), 0);
  EXPECT_FALSE(queue_.take_used(&used_head, &length));
}

TEST_F(Queue, RefusesWhatDoesNotFit) {
  virtio::Buffer chain[kSize + 1] = {};
  EXPECT_EQ(queue_.post(chain, 0), -1);
  EXPECT_EQ(queue_.post(chain, kSize + 1), -1);
  ASSERT_GE(queue_.post(chain, 5), 0);
  EXPECT_EQ(queue_.post(chain, 4), -1);  // 3 left
  EXPECT_GE(queue_.post(chain, 3), 0);
  EXPECT_EQ(queue_.free_descriptors(), 0);
  EXPECT_EQ(queue_.post(chain, 1), -1);
}

TEST_F(Queue, ManyRoundsAcrossTheIndexWrap) {
  // 70,000 requests of 1 to 3 buffers, two in flight at a time: the
  // indices wrap past 65535 and every descriptor comes back.
  uint32_t next_tag = 1;
  for (int round = 0; round < 35000; ++round) {
    int heads[2];
    uint32_t tags[2];
    for (int k = 0; k < 2; ++k) {
      uint16_t n = static_cast<uint16_t>(1 + (round + k) % 3);
      virtio::Buffer chain[3];
      tags[k] = next_tag++;
      for (uint16_t i = 0; i < n; ++i) chain[i] = {uint64_t{tags[k]} << 8 | i, tags[k], i == 1};
      heads[k] = queue_.post(chain, n);
      ASSERT_GE(heads[k], 0) << "round " << round;
    }
    queue_.publish();
    auto chains = device_take();
    ASSERT_EQ(chains.size(), 2u);
    for (int k = 0; k < 2; ++k) {
      EXPECT_EQ(chains[k][0].address, uint64_t{tags[k]} << 8);
      EXPECT_EQ(chains[k].size(), 1u + (round + k) % 3);
    }
    device_return(7);
    uint32_t head, length;
    ASSERT_TRUE(queue_.take_used(&head, &length));
    EXPECT_EQ(head, static_cast<uint32_t>(heads[0]));
    ASSERT_TRUE(queue_.take_used(&head, &length));
    EXPECT_EQ(head, static_cast<uint32_t>(heads[1]));
    ASSERT_EQ(queue_.free_descriptors(), kSize);
  }
  EXPECT_EQ(*queue_.available_index(), static_cast<uint16_t>(70000));
  EXPECT_EQ(*queue_.used_index(), static_cast<uint16_t>(70000));
}

TEST(Virtqueue, InitRejectsBadSizes) {
  alignas(4096) static uint8_t memory[8192];
  virtio::SplitQueue q;
  EXPECT_FALSE(q.init(memory, 0));
  EXPECT_FALSE(q.init(memory, 6));
}

}  // namespace
