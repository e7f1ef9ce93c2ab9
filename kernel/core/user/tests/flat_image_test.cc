// The header check of init's flat image: every field bound enforced.
#include <string.h>

#include <gtest/gtest.h>

#include <core/user/init.h>

namespace {

struct Header {
  uint32_t magic = 0x6d696361, entry = 0x40, text_end = 0x2000, rodata_end = 0x3000,
           file_size = 0x3800, memory_size = 0x5000;
};

lib::Result<user::FlatLayout> parse(const Header& h, size_t module_size = 0x4000) {
  static uint8_t module[0x10000];
  memset(module, 0, sizeof(module));
  memcpy(module, &h, sizeof(h));
  return user::parse_flat_image(module, module_size);
}

TEST(FlatImage, AcceptsAGoodHeader) {
  auto l = parse(Header{});
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l.value().entry, 0x40u);
  EXPECT_EQ(l.value().text_end, 0x2000u);
  EXPECT_EQ(l.value().rodata_end, 0x3000u);
  EXPECT_EQ(l.value().file_size, 0x3800u);
  EXPECT_EQ(l.value().memory_size, 0x5000u);
}

TEST(FlatImage, RejectsBadMagic) {
  Header h;
  h.magic = 0x7f454c46;  // an ELF is not a flat image
  EXPECT_EQ(parse(h).status(), lib::Status::kBadFormat);
}

TEST(FlatImage, RejectsTruncatedModules) {
  EXPECT_EQ(user::parse_flat_image(nullptr, 0).status(), lib::Status::kTruncated);
  uint8_t tiny[8] = {0x61, 0x63, 0x69, 0x6d};
  EXPECT_EQ(user::parse_flat_image(tiny, sizeof(tiny)).status(), lib::Status::kTruncated);
  // The header claims more file than the module holds.
  EXPECT_EQ(parse(Header{}, 0x3000).status(), lib::Status::kTruncated);
}

TEST(FlatImage, RejectsInconsistentLayouts) {
  Header h;
  h.entry = 0x2000;  // outside text
  EXPECT_EQ(parse(h).status(), lib::Status::kBadFormat);
  h = Header{};
  h.entry = 4;  // inside the header
  EXPECT_EQ(parse(h).status(), lib::Status::kBadFormat);
  h = Header{};
  h.text_end = 0x2010;  // not page-aligned
  EXPECT_EQ(parse(h).status(), lib::Status::kBadFormat);
  h = Header{};
  h.rodata_end = 0x1000;  // before text ends
  EXPECT_EQ(parse(h).status(), lib::Status::kBadFormat);
  h = Header{};
  h.file_size = 0x6000;  // more file than memory
  EXPECT_EQ(parse(h, 0x8000).status(), lib::Status::kBadFormat);
  h = Header{};
  h.memory_size = 0x7fffffff;  // above the 64 MiB bound
  EXPECT_EQ(parse(h).status(), lib::Status::kBadFormat);
  h = Header{};
  h.text_end = 0;
  EXPECT_EQ(parse(h).status(), lib::Status::kBadFormat);
}

}  // namespace
