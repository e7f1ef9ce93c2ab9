#include <gtest/gtest.h>

#include <lib/string.h>

namespace {

TEST(String, Strlcpy) {
  char buffer[6];
  EXPECT_EQ(lib::strlcpy(buffer, "mica", sizeof(buffer)), 4u);
  EXPECT_STREQ(buffer, "mica");
  EXPECT_EQ(lib::strlcpy(buffer, "microkernel", sizeof(buffer)), 11u);
  EXPECT_STREQ(buffer, "micro");
  char untouched = 'Q';
  EXPECT_EQ(lib::strlcpy(&untouched, "abc", 0), 3u);
  EXPECT_EQ(untouched, 'Q');
}

TEST(String, Compare) {
  EXPECT_TRUE(lib::streq("", ""));
  EXPECT_TRUE(lib::streq("abc", "abc"));
  EXPECT_FALSE(lib::streq("abc", "abd"));
  EXPECT_FALSE(lib::streq("abc", "ab"));
  EXPECT_TRUE(lib::starts_with("console=serial", "console"));
  EXPECT_FALSE(lib::starts_with("con", "console"));
  EXPECT_EQ(lib::strnlen("abcdef", 3), 3u);
  EXPECT_EQ(lib::strnlen("ab", 10), 2u);
}

}  // namespace
