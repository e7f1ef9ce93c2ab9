#include <vector>

#include <gtest/gtest.h>

#include <core/boot/parsers.h>

namespace {

using boot::BootInfo;
using boot::MemoryType;
using lib::Status;

// A property-channel buffer after the firmware answered: ARM memory, VC
// memory and the command line, as a Raspberry Pi 3B with a 64 MiB GPU split
// reports them.
std::vector<uint32_t> reply() {
  std::vector<uint32_t> words = {0,
                                 0x80000000,
                                 boot::kMailboxTagArmMemory,
                                 8,
                                 0x80000008,
                                 0,
                                 0x3c000000,
                                 boot::kMailboxTagVcMemory,
                                 8,
                                 0x80000008,
                                 0x3c000000,
                                 0x04000000,
                                 boot::kMailboxTagCommandLine,
                                 16,
                                 0x8000000d,
                                 0x736e6f63,
                                 0x3d656c6f,
                                 0x69726573,
                                 0x00006c61,  // "console=serial"
                                 0};
  words[0] = static_cast<uint32_t>(words.size() * 4);
  return words;
}

lib::ByteSpan span(const std::vector<uint32_t>& w) {
  return lib::ByteSpan(reinterpret_cast<const uint8_t*>(w.data()), w.size() * 4);
}

TEST(Mailbox, Raspi3bReply) {
  auto words = reply();
  BootInfo info;
  ASSERT_TRUE(boot::parse_mailbox_reply(span(words), info).ok());
  ASSERT_EQ(info.memory_count, 2u);
  EXPECT_EQ(info.memory[0].size, 0x3c000000u);
  EXPECT_EQ(info.memory[0].type, MemoryType::kUsable);
  EXPECT_EQ(info.memory[1].base, 0x3c000000u);
  EXPECT_EQ(info.memory[1].type, MemoryType::kReserved);
  EXPECT_STREQ(info.cmdline, "console=seria");  // the firmware said 13 bytes
}

TEST(Mailbox, FirmwareError) {
  auto words = reply();
  words[1] = 0x80000001;
  BootInfo info;
  EXPECT_EQ(boot::parse_mailbox_reply(span(words), info).status(), Status::kIoError);
}

TEST(Mailbox, UnansweredTagIsSkipped) {
  auto words = reply();
  words[4] = 8;  // ARM memory: response bit clear
  BootInfo info;
  ASSERT_TRUE(boot::parse_mailbox_reply(span(words), info).ok());
  ASSERT_EQ(info.memory_count, 1u);
  EXPECT_EQ(info.memory[0].type, MemoryType::kReserved);
}

TEST(Mailbox, Truncated) {
  auto words = reply();
  BootInfo info;
  // Declared size larger than the buffer.
  words[0] += 64;
  EXPECT_EQ(boot::parse_mailbox_reply(span(words), info).status(), Status::kTruncated);
  // A tag whose value buffer runs past the end.
  words = reply();
  words[8] = 0x1000;  // VC memory's value-buffer size
  EXPECT_EQ(boot::parse_mailbox_reply(span(words), info).status(), Status::kTruncated);
  // A response longer than the value buffer.
  words = reply();
  words[4] = 0x80000010;
  EXPECT_EQ(boot::parse_mailbox_reply(span(words), info).status(), Status::kTruncated);
  // No end tag.
  words = reply();
  words.pop_back();
  words[0] -= 4;
  EXPECT_EQ(boot::parse_mailbox_reply(span(words), info).status(), Status::kTruncated);
  EXPECT_EQ(boot::parse_mailbox_reply(lib::ByteSpan(), info).status(), Status::kTruncated);
}

}  // namespace
