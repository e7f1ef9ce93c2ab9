// lib::format against the C library's snprintf, which is an independent
// implementation of the same contract, plus the cases where they must differ.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <string>

#include <gtest/gtest.h>

#include <lib/format.h>

// The helpers forward a format string that is a literal at every call site.
#pragma clang diagnostic ignored "-Wformat-security"
#pragma clang diagnostic ignored "-Wformat-nonliteral"
#pragma clang diagnostic ignored "-Wformat"

namespace {

template <typename... Args>
std::string ours(const char* fmt, Args... args) {
  char buffer[256];
  size_t n = lib::format(buffer, sizeof(buffer), fmt, args...);
  EXPECT_EQ(n, strlen(buffer));
  return buffer;
}

template <typename... Args>
std::string libc(const char* fmt, Args... args) {
  char buffer[256];
  snprintf(buffer, sizeof(buffer), fmt, args...);
  return buffer;
}

#define EXPECT_SAME(...) EXPECT_EQ(ours(__VA_ARGS__), libc(__VA_ARGS__))

TEST(Format, Integers) {
  EXPECT_SAME("%d %i %u", 0, -1, 42u);
  EXPECT_SAME("%d", INT32_MIN);
  EXPECT_SAME("%d", INT32_MAX);
  EXPECT_SAME("%lld", static_cast<long long>(INT64_MIN));
  EXPECT_SAME("%llu", static_cast<unsigned long long>(UINT64_MAX));
  EXPECT_SAME("%x %X %o", 0xdeadbeefu, 0xdeadbeefu, 8u);
  EXPECT_SAME("%lx", 0xffffffff80000000ul);
  EXPECT_SAME("%zu %zx", static_cast<size_t>(12345), static_cast<size_t>(0xabc));
  EXPECT_SAME("%hhu %hd", 300, 70000);
}

TEST(Format, FlagsWidthPrecision) {
  EXPECT_SAME("[%5d] [%-5d] [%05d] [%+d] [% d]", 42, 42, 42, 42, 42);
  EXPECT_SAME("[%08x] [%#x] [%#010x] [%#o]", 0xbeefu, 0xbeefu, 0xbeefu, 8u);
  EXPECT_SAME("[%.3d] [%8.3d] [%-8.3d]", 7, 7, 7);
  EXPECT_SAME("[%*d] [%-*d] [%*d]", 6, 1, 6, 1, -6, 1);
  EXPECT_SAME("[%.0d] [%5.0d]", 0, 0);
  EXPECT_SAME("[%05d]", -42);
  EXPECT_SAME("[%#x]", 0u);
}

TEST(Format, StringsAndChars) {
  EXPECT_SAME("[%s] [%10s] [%-10s] [%.3s] [%c] [%3c]", "mica", "mica", "mica", "microkernel", 'x',
              'y');
  EXPECT_SAME("100%% [%.*s]", 2, "abc");
  EXPECT_EQ(ours("%s", static_cast<const char*>(nullptr)), "(null)");
}

TEST(Format, Pointer) {
  int x;
  char expected[32];
  snprintf(expected, sizeof(expected), "0x%lx", reinterpret_cast<unsigned long>(&x));
  EXPECT_EQ(ours("%p", static_cast<void*>(&x)), expected);
}

TEST(Format, TruncatesAndReportsFullLength) {
  char buffer[8];
  memset(buffer, 'Z', sizeof(buffer));
  EXPECT_EQ(lib::format(buffer, sizeof(buffer), "%s-%d", "abcdef", 12345), 12u);
  EXPECT_STREQ(buffer, "abcdef-");
  // Capacity 0 writes nothing, not even the terminator.
  char untouched = 'Q';
  EXPECT_EQ(lib::format(&untouched, 0, "hello"), 5u);
  EXPECT_EQ(untouched, 'Q');
  // Capacity 1 holds only the terminator.
  char one[1] = {'Q'};
  EXPECT_EQ(lib::format(one, 1, "hello"), 5u);
  EXPECT_EQ(one[0], '\0');
}

TEST(Format, BadDirectivesArePrintedNotConsumed) {
  // An unknown conversion consumes no argument, so the %d still gets 7.
  EXPECT_EQ(ours("%q %d", 7), "%q 7");
  EXPECT_EQ(ours("trailing %"), "trailing %");
  EXPECT_EQ(ours("%ly"), "%ly");
}

TEST(Format, HugeWidthIsBounded) {
  char buffer[16];
  size_t n = lib::format(buffer, sizeof(buffer), "%99999999999d", 1);
  EXPECT_GE(n, 15u);
  EXPECT_EQ(strlen(buffer), 15u);
}

TEST(Format, StreamsToSink) {
  std::string out;
  auto sink = [](void* context, const char* text, size_t length) {
    static_cast<std::string*>(context)->append(text, length);
  };
  size_t n = lib::format_to(sink, &out, "%s=%u;", "frames", 1024u);
  EXPECT_EQ(out, "frames=1024;");
  EXPECT_EQ(n, out.size());
}

}  // namespace
