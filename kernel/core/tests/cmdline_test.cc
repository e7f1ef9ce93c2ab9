#include <gtest/gtest.h>

#include <core/cmdline.h>

namespace {

TEST(Cmdline, Flags) {
  const char* line = "console=serial test.panic  quiet";
  EXPECT_TRUE(cmdline::has(line, "console"));
  EXPECT_TRUE(cmdline::has(line, "test.panic"));
  EXPECT_TRUE(cmdline::has(line, "quiet"));
  EXPECT_FALSE(cmdline::has(line, "test"));    // a prefix is not a word
  EXPECT_FALSE(cmdline::has(line, "serial"));  // a value is not a word
  EXPECT_FALSE(cmdline::has(line, ""));
  EXPECT_FALSE(cmdline::has("", "quiet"));
}

TEST(Cmdline, Values) {
  char value[8];
  EXPECT_TRUE(cmdline::get("a=1 console=serial b", "console", value, sizeof(value)));
  EXPECT_STREQ(value, "serial");
  EXPECT_TRUE(cmdline::get("x=", "x", value, sizeof(value)));
  EXPECT_STREQ(value, "");
  EXPECT_FALSE(cmdline::get("quiet", "quiet", value, sizeof(value)));  // no '='
  EXPECT_FALSE(cmdline::get("a=1", "b", value, sizeof(value)));
  // Truncated to the buffer, still terminated.
  EXPECT_TRUE(cmdline::get("k=0123456789", "k", value, sizeof(value)));
  EXPECT_STREQ(value, "0123456");
}

}  // namespace
